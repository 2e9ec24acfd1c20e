using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.LiveKit.Native;

namespace Pipeline.LiveKit.Tests;

/// <summary>The media seam on a real WebRTC session with the loopback SFU.</summary>
public sealed class AvatarConnectorTests
{
    private const string Token = "connector-test-token-9d1e";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_avatar_that_joins_late_is_delivered_through_the_seam_in_pooled_buffers_and_its_departure_is_reported()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--late", "--identity", "heygen");
        var connector = new LiveKitAvatarMediaConnector(TestLogging.Factory);
        var pool = new FrameBufferPool(new FrameBufferPoolOptions { ThrowOnDoubleRelease = true });
        var request = new AvatarMediaConnectRequest(sfu.Url, Token, "heygen")
        {
            FramePool = pool,
            VideoFormat = PixelFormat.Rgba32,
            AudioSampleRate = 48_000,
            AudioChannels = 1,
            ConnectTimeout = Budget,
        };

        await using (IAvatarMediaSession session = await connector.ConnectAsync(request, timeout.Token))
        {
            var joined = new TaskCompletionSource<AvatarParticipantEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var left = new TaskCompletionSource<AvatarParticipantEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            session.ParticipantJoined += (_, e) => joined.TrySetResult(e);
            session.ParticipantLeft += (_, e) => left.TrySetResult(e);
            session.AvatarPresent.Should().BeFalse();

            await sfu.CommandAsync("join");
            (await joined.Task.WaitAsync(timeout.Token)).Should().Be(new AvatarParticipantEventArgs("heygen", IsAvatar: true));
            session.AvatarPresent.Should().BeTrue();

            await foreach (RemoteVideoBuffer frame in session.ReadVideoAsync(timeout.Token))
            {
                using (frame)
                {
                    frame.Format.Should().Be(PixelFormat.Rgba32);
                    (frame.Width, frame.Height).Should().Be((640, 360));
                    MemoryMarshal.TryGetMemoryManager(frame.Data, out MemoryManager<byte>? owner).Should().BeTrue();
                    owner.Should().BeOfType<FrameBuffer>("the engine's frame is copied once into a pooled buffer and released at once")
                        .Which.Pool.Should().BeSameAs(pool);
                    if (ShowsBars(frame.Data.Span, frame.Width, frame.Height))
                    {
                        TestPatterns.AssertBars(frame.Data.Span, frame.Width, frame.Height, 4, tolerance: 24);
                        break;
                    }
                }
            }

            var segments = new List<short[]>();
            var segment = new List<short>();
            int loud = 0;
            await foreach (RemoteAudioBuffer block in session.ReadAudioAsync(timeout.Token))
            {
                using (block)
                {
                    block.SampleRate.Should().Be(48_000);
                    block.Channels.Should().Be(1);
                    short[] samples = MemoryMarshal.Cast<byte, short>(block.Pcm.Span).ToArray();
                    if (samples.Max(s => Math.Abs((int)s)) > 4_000)
                    {
                        segment.AddRange(samples);
                        loud += samples.Length;
                    }
                    else if (segment.Count > 0)
                    {
                        segments.Add([.. segment]);
                        segment.Clear();
                    }
                }

                if (loud >= 12_000)
                {
                    break;
                }
            }

            segments.Add([.. segment]);
            TestPatterns.MeasureFrequency(segments, 48_000).Should().BeApproximately(440, 5);

            await sfu.CommandAsync("leave");
            (await left.Task.WaitAsync(timeout.Token)).Should().Be(new AvatarParticipantEventArgs("heygen", IsAvatar: true));
            session.AvatarPresent.Should().BeFalse();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
        pool.Rented.Should().BePositive();
        pool.Outstanding.Should().Be(0, "every frame read was disposed, and the session released those it still held");
        TestLogging.Provider.Entries.Should().NotContain(e => e.Message.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_avatar_participants_media_is_delivered()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        // The avatar publishes video; another participant, "bystander", publishes the audio.
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--identity", "heygen", "--audio-owner", "bystander");
        var connector = new LiveKitAvatarMediaConnector(TestLogging.Factory);
        var request = new AvatarMediaConnectRequest(sfu.Url, Token, "heygen") { ConnectTimeout = Budget };
        Task<LogEntry> ignored = TestLogging.Provider.WaitForAsync(e => e.Message.Contains("of bystander: not the avatar", StringComparison.Ordinal));

        await using (IAvatarMediaSession session = await connector.ConnectAsync(request, timeout.Token))
        {
            using var stopAudio = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            Task<int> audioBlocks = CountAsync(session.ReadAudioAsync(stopAudio.Token));
            await ignored.WaitAsync(timeout.Token);
            ((LiveKitAvatarMediaSession)session).Room.GetParticipant("bystander")!.Publications
                .Should().ContainSingle(p => p.Kind == TrackKind.Audio, "the bystander's audio is in the room");

            // A second of the avatar's video: the bystander's audio, subscribed at the same moment, would be here by now.
            int videoFrames = 0;
            await foreach (RemoteVideoBuffer frame in session.ReadVideoAsync(timeout.Token))
            {
                frame.Format.Should().Be(PixelFormat.Rgb24);
                frame.Dispose();
                if (++videoFrames == 30)
                {
                    break;
                }
            }

            await stopAudio.CancelAsync();
            (await audioBlocks).Should().Be(0);
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_refused_join_is_an_avatar_media_exception_without_the_token()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var connector = new LiveKitAvatarMediaConnector(TestLogging.Factory, new LiveKitAvatarMediaConnectorOptions { JoinRetries = 0 });

        Func<Task> connect = async () => await connector.ConnectAsync(new AvatarMediaConnectRequest(new Uri($"ws://127.0.0.1:{port}"), Token, "heygen"), CancellationToken.None);

        (await connect.Should().ThrowAsync<AvatarMediaException>())
            .Which.Message.Should().Contain("Connection refused").And.NotContain(Token);
    }

    [Fact]
    public void The_container_resolves_the_LiveKit_connector_as_the_media_seam()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddLogging()
            .AddLiveKitAvatarMedia()
            .BuildServiceProvider();

        provider.GetRequiredService<IAvatarMediaConnector>()
            .Should().BeOfType<LiveKitAvatarMediaConnector>();
    }

    private static bool ShowsBars(ReadOnlySpan<byte> rgba, int width, int height)
    {
        int at = (((height / 2) * width) + TestPatterns.BarCentre(1, width)) * 4; // the yellow bar
        return rgba[at] > 200 && rgba[at + 1] > 200 && rgba[at + 2] < 60;
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<RemoteAudioBuffer> blocks)
    {
        int count = 0;
        try
        {
            await foreach (RemoteAudioBuffer block in blocks)
            {
                block.Dispose();
                count++;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return count;
    }
}
