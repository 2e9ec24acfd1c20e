using Pipeline.LiveKit.Native;

namespace Pipeline.LiveKit.Tests;

public sealed class RuntimeTests
{
    [Fact]
    public void Initialize_loads_the_engine_and_serves_requests()
    {
        LiveKitRuntime.Initialize();
        long before = LiveKitRuntime.OutstandingHandles;

        using (var source = new VideoSource(64, 48))
        {
            LiveKitRuntime.OutstandingHandles.Should().Be(before + 1);
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(before);
    }

    [Fact]
    public void Shutdown_then_use_initialises_the_engine_again()
    {
        LiveKitRuntime.Initialize();
        LiveKitRuntime.Shutdown();

        using var source = new VideoSource(32, 32);
        using var track = LocalVideoTrack.Create("after-shutdown", source);

        track.Kind.Should().Be(TrackKind.Video);
    }

    [Fact]
    public void A_missing_library_is_one_exception_that_says_what_to_do()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dir", "liblivekit_ffi.so");

        Action load = () => NativeLibraryLocator.Load(new LiveKitRuntimeOptions { LibraryPath = missing });

        load.Should().Throw<LiveKitNativeLibraryException>()
            .Which.Message.Should().Contain(missing).And.Contain("build/prereqs/20-livekit-native.sh")
            .And.Contain(LiveKitRuntimeOptions.LibraryEnvironmentVariable);
    }

    [Fact]
    public void An_addon_without_its_napi_stub_is_refused_with_the_fix()
    {
        string folder = Directory.CreateTempSubdirectory("lk-no-stub").FullName;
        string addon = Path.Combine(folder, NativeLibraryLocator.AddonFileName);
        File.WriteAllBytes(addon, [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        try
        {
            Action load = () => NativeLibraryLocator.Load(new LiveKitRuntimeOptions { LibraryPath = addon });

            load.Should().Throw<LiveKitNativeLibraryException>().Which.Message.Should().Contain(NativeLibraryLocator.StubFileName);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_explicit_path_to_the_addon_loads_it_with_its_stub()
    {
        string addon = Path.Combine(NativeLibraryLocator.DefaultNativeDirectory, NativeLibraryLocator.AddonFileName);
        string configured = Environment.GetEnvironmentVariable(LiveKitRuntimeOptions.NativeDirectoryEnvironmentVariable) is { Length: > 0 } folder
            ? Path.Combine(folder, NativeLibraryLocator.AddonFileName)
            : addon;

        IntPtr library = NativeLibraryLocator.Load(new LiveKitRuntimeOptions { LibraryPath = configured });

        library.Should().NotBe(IntPtr.Zero);
        System.Runtime.InteropServices.NativeLibrary.TryGetExport(library, "livekit_ffi_request", out _).Should().BeTrue();
    }

    [Fact]
    public void A_file_that_is_not_a_library_fails_to_load_with_the_fix()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("lk-bad").FullName, "liblivekit_ffi.so");
        File.WriteAllText(file, "not a shared object");

        Action load = () => NativeLibraryLocator.Load(new LiveKitRuntimeOptions { LibraryPath = file });

        load.Should().Throw<LiveKitNativeLibraryException>().Which.Message.Should().Contain("could not be loaded");
    }

    [Fact]
    public void A_rejected_request_is_an_exception_not_a_crash()
    {
        FfiClient client = FfiClient.Instance;

        Action request = () => client.Request(new Protocol.FfiRequest
        {
            NewVideoStream = new Protocol.NewVideoStreamRequest { TrackHandle = 987_654_321, Type = Protocol.VideoStreamType.VideoStreamNative },
        });

        request.Should().Throw<LiveKitException>().Which.Message.Should().Contain("NewVideoStream");
    }
}
