using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;

namespace Pipeline.LiveKit.Tests;

public sealed class CallbackSafetyTests
{
    [Fact]
    public async Task An_exception_thrown_on_the_callback_thread_is_caught_and_events_keep_flowing()
    {
        FfiClient client = FfiClient.Instance;
        long failuresBefore = client.CallbackFailures;
        client.EventObserver = _ => throw new InvalidOperationException("injected into the native callback");
        try
        {
            using var source = new VideoSource(64, 64);
            using var track = LocalVideoTrack.Create("survivor", source);
            using var stream = VideoStream.Create(track, new VideoStreamOptions { Format = PixelFormat.Rgba32 });

            // Three frames through, each behind a throwing observer: the process survives and nothing is lost.
            for (int i = 0; i < 3; i++)
            {
                using VideoFrame frame = await LoopbackVideoTests.CaptureUntilAsync(
                    source, stream, TestPatterns.BarsRgba(64, 64), PixelFormat.Rgba32, f => LoopbackVideoTests.ShowsBars(f, tolerance: 6), 64, 64);
                frame.Width.Should().Be(64);
            }
        }
        finally
        {
            client.EventObserver = null;
        }

        client.CallbackFailures.Should().BeGreaterThanOrEqualTo(failuresBefore + 3);
        TestLogging.Provider.Entries.Should().Contain(e => e.Message.Contains("injected into the native callback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_event_that_arrives_before_its_owner_registers_is_delivered_on_registration()
    {
        var router = new FfiEventRouter();
        var sink = new RecordingSink();
        var early = new Protocol.FfiEvent { VideoStreamEvent = new Protocol.VideoStreamEvent { StreamHandle = 42, Eos = new Protocol.VideoStreamEOS() } };

        router.Route(42, early);
        router.Register(42, sink);

        sink.Events.Should().ContainSingle().Which.Should().BeSameAs(early);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_completion_that_arrives_before_anyone_waits_for_it_is_not_lost()
    {
        FfiClient client = FfiClient.Instance;
        const ulong asyncId = 9_000_000_001;
        var early = new Protocol.FfiEvent { Disconnect = new Protocol.DisconnectCallback { AsyncId = asyncId } };

        client.Dispatch(early); // the engine may answer before livekit_ffi_request has returned the async id
        Protocol.FfiEvent received = await client.WaitForCallbackAsync(asyncId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        received.Should().BeSameAs(early);
    }

    private sealed class RecordingSink : IFfiEventSink
    {
        public List<Protocol.FfiEvent> Events { get; } = [];

        public void Post(Protocol.FfiEvent ffiEvent) => Events.Add(ffiEvent);
    }
}
