using System.Threading.Channels;
using Pipeline.Core.Frames;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Real WebRTC: the engine joins the loopback SFU, subscribes to the avatar's tracks and decodes them. Nothing here
/// is simulated except the server's signalling.
/// </summary>
public sealed class SfuRoomTests
{
    private const string Token = "sfu-test-token";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("vp8")]
    [InlineData("h264")]
    public async Task The_avatars_colour_bars_and_tone_arrive_decoded_and_its_departure_is_reported(string codec)
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--codec", codec, "--width", "640", "--height", "360");
        var subscribed = Channel.CreateUnbounded<TrackSubscribedEventArgs>();
        var left = new TaskCompletionSource<ParticipantDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var unsubscribed = new List<string>();
        VideoStream? video = null;
        AudioStream? audio = null;
        var room = new Room(TestLogging.Factory);
        room.TrackSubscribed += (_, e) =>
        {
            // Streams are opened in the handler, as soon as the track exists.
            if (e.Track.Kind == TrackKind.Video)
            {
                video = VideoStream.Create(e.Track, new VideoStreamOptions { Format = PixelFormat.Rgb24 });
            }
            else
            {
                audio = AudioStream.Create(e.Track, new AudioStreamOptions { SampleRate = 16_000, Channels = 1 });
            }

            subscribed.Writer.TryWrite(e);
        };
        room.TrackUnsubscribed += (_, e) =>
        {
            lock (unsubscribed)
            {
                unsubscribed.Add(e.TrackSid);
            }
        };
        room.ParticipantDisconnected += (_, e) => left.TrySetResult(e);
        try
        {
            await room.ConnectAsync(sfu.Url, Token, new RoomConnectOptions { ConnectTimeout = Budget }, timeout.Token);

            room.GetParticipant("heygen").Should().NotBeNull();
            room.GetParticipant("heygen")!.Publications.Select(p => p.Source).Should().BeEquivalentTo([TrackSource.Camera, TrackSource.Microphone]);
            (await subscribed.Reader.ReadAsync(timeout.Token)).Track.ParticipantIdentity.Should().Be("heygen");
            (await subscribed.Reader.ReadAsync(timeout.Token)).Track.ParticipantIdentity.Should().Be("heygen");
            video.Should().NotBeNull();
            audio.Should().NotBeNull();

            using (VideoFrame frame = await FirstFrameWithBarsAsync(video!, timeout.Token))
            {
                frame.Width.Should().Be(640);
                frame.Height.Should().Be(360);
                frame.Format.Should().Be(PixelFormat.Rgb24);
                TestPatterns.AssertBars(frame.PackedData.Span, 640, 360, 3, tolerance: 24);
            }

            List<short[]> tone = await ReadToneAsync(audio!, 16_000, timeout.Token);
            TestPatterns.MeasureFrequency(tone, 16_000).Should().BeApproximately(440, 5);

            await sfu.CommandAsync("leave");
            ParticipantDisconnectedEventArgs departure = await left.Task.WaitAsync(timeout.Token);
            departure.Identity.Should().Be("heygen");
            room.GetParticipant("heygen").Should().BeNull();
            lock (unsubscribed)
            {
                unsubscribed.Should().HaveCount(2, "both tracks are unsubscribed before the participant leaves");
            }
        }
        finally
        {
            video?.Dispose();
            audio?.Dispose();
            await room.DisposeAsync();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "disposing the room and its streams releases every native handle");
        LiveKitRuntime.OutstandingHandles.Should().Be(0, "no test leaves a handle behind");
    }

    [Fact]
    public async Task A_handler_that_throws_does_not_stop_the_room_and_one_that_disposes_it_does_not_deadlock()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync();
        var room = new Room(TestLogging.Factory);
        var disposedFromHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int subscriptions = 0;
        var bothSubscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        room.TrackSubscribed += (_, _) => throw new InvalidOperationException("injected into a room event handler");
        room.TrackSubscribed += (_, _) =>
        {
            if (Interlocked.Increment(ref subscriptions) == 2)
            {
                bothSubscribed.TrySetResult();
            }
        };
        room.ParticipantDisconnected += (_, _) =>
        {
            // Blocking on the disposal inside the handler: the room must not wait for the task running this handler.
            room.DisposeAsync().AsTask().GetAwaiter().GetResult();
            disposedFromHandler.TrySetResult();
        };

        await room.ConnectAsync(sfu.Url, Token, new RoomConnectOptions { ConnectTimeout = Budget }, timeout.Token);
        await bothSubscribed.Task.WaitAsync(timeout.Token); // the second handler runs although the first one throws

        await sfu.CommandAsync("leave");
        await disposedFromHandler.Task.WaitAsync(timeout.Token);

        room.ConnectionState.Should().Be(RoomConnectionState.Disconnected);
        TestLogging.Provider.Entries.Should().Contain(e => e.Message.Contains("injected into a room event handler", StringComparison.Ordinal));
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    internal static async Task<VideoFrame> FirstFrameWithBarsAsync(VideoStream stream, CancellationToken cancellationToken)
    {
        // The first decoded frames can be a keyframe still converging; wait for one whose yellow bar is yellow.
        while (await stream.ReadAsync(cancellationToken) is { } frame)
        {
            ReadOnlySpan<byte> pixels = frame.PackedData.Span;
            int at = (((frame.Height / 2) * frame.Width) + TestPatterns.BarCentre(1, frame.Width)) * 3;
            if (pixels[at] > 200 && pixels[at + 1] > 200 && pixels[at + 2] < 60)
            {
                return frame;
            }

            frame.Dispose();
        }

        throw new InvalidOperationException("The video stream ended before a frame arrived.");
    }

    internal static async Task<List<short[]>> ReadToneAsync(AudioStream stream, int rate, CancellationToken cancellationToken)
    {
        var segments = new List<short[]>();
        var segment = new List<short>();
        int loud = 0;
        while (loud < rate / 4 && await stream.ReadAsync(cancellationToken) is { } frame)
        {
            using (frame)
            {
                short[] samples = frame.Samples.ToArray();
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
        }

        segments.Add([.. segment]);
        return segments;
    }
}
