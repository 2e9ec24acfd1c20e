using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>
/// The emulator's avatar reports speech and shows it from one clock: the speak events it sends and the mouth it draws
/// agree to within one video frame, on a fake clock, through the real websocket and the real media room.
/// </summary>
public sealed class EmulatorPlaybackClockTests
{
    private const int FrameRate = 25;
    private static readonly TimeSpan Frame = TimeSpan.FromSeconds(1.0 / FrameRate);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task Speak_started_and_ended_agree_with_the_first_and_last_open_mouth_frames_within_one_frame()
    {
        await using var room = await AvatarRoom.StartAsync();
        // Speech starts off the frame and block grid (507 ms), and lasts 1.3 s.
        await room.AdvanceAsync(TimeSpan.FromMilliseconds(507));
        await room.SpeakAsync("u1", Pcm16.Sine(220, TimeSpan.FromMilliseconds(1300), 24_000, amplitude: 0.5));
        await room.AdvanceAsync(TimeSpan.FromSeconds(2));
        await room.WaitForFramesUntilAsync(TimeSpan.FromMilliseconds(2400));

        SpeakStarted started = room.Played.OfType<SpeakStarted>().Should().ContainSingle().Subject;
        SpeakEnded ended = room.Played.OfType<SpeakEnded>().Should().ContainSingle().Subject;
        started.MediaTime.Should().Be(TimeSpan.FromMilliseconds(507), "the avatar was silent, so the speech plays at once");
        (ended.MediaTime - started.MediaTime).Should().Be(TimeSpan.FromMilliseconds(1300));

        (TimeSpan firstOpen, TimeSpan lastOpen) = room.OpenMouthSpan();
        (firstOpen - started.MediaTime).Should().BeGreaterThanOrEqualTo(TimeSpan.Zero).And.BeLessThan(Frame, "the mouth opens with the first frame after speak_started");
        (ended.MediaTime - lastOpen).Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(Frame, "the mouth closes with the first frame after speak_ended");
        room.Frames.Where(f => f.Timestamp >= firstOpen && f.Timestamp <= lastOpen).Should().OnlyContain(f => room.MouthOpen(f), "the mouth stays open while the tone plays");

        // The events are sent when the clock reaches them (within the test's clock step), in the service's order.
        room.RaisedAt(started).Should().Be(started.MediaTime);
        (room.RaisedAt(ended) - ended.MediaTime).Should().BeGreaterThanOrEqualTo(TimeSpan.Zero).And.BeLessThanOrEqualTo(Step);
        await room.WaitForMessageAsync("agent.state_updated idle");
        room.Messages.Where(m => m.StartsWith("agent.speak", StringComparison.Ordinal) || m.StartsWith("agent.state", StringComparison.Ordinal))
            .Should().Equal("agent.speak_started u1", "agent.state_updated talking", "agent.speak_ended u1", "agent.state_updated idle");
    }

    [Fact]
    public async Task An_interrupted_utterance_shuts_the_mouth_within_one_frame_of_speak_interrupted()
    {
        await using var room = await AvatarRoom.StartAsync();
        await room.AdvanceAsync(TimeSpan.FromMilliseconds(300));
        await room.SpeakAsync("long", Pcm16.Sine(220, TimeSpan.FromSeconds(3), 24_000, amplitude: 0.5), end: false);
        await room.AdvanceAsync(TimeSpan.FromMilliseconds(1013));
        await room.SendAsync("""{"type":"agent.interrupt","event_id":"long"}""");
        await room.WaitForMessageAsync("agent.audio_buffer_cleared");
        await room.AdvanceAsync(TimeSpan.FromSeconds(1));
        await room.WaitForFramesUntilAsync(TimeSpan.FromMilliseconds(2200));

        SpeakInterrupted interrupted = room.Played.OfType<SpeakInterrupted>().Should().ContainSingle().Subject;
        interrupted.MediaTime.Should().Be(TimeSpan.FromMilliseconds(1313));
        (TimeSpan _, TimeSpan lastOpen) = room.OpenMouthSpan();
        (interrupted.MediaTime - lastOpen).Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(Frame);
        room.Played.OfType<SpeakEnded>().Should().BeEmpty("an interrupted utterance does not also end");
        room.Realtime.Avatar.SpeechPlayed.Should().Be(TimeSpan.FromMilliseconds(1013));
    }

    /// <summary>A realtime-only emulator on a fake clock, one session, its websocket and its media room, recorded.</summary>
    private sealed class AvatarRoom : IAsyncDisposable
    {
        private readonly ConcurrentQueue<string> _messages = new();
        private readonly ConcurrentQueue<VideoSample> _frames = new();
        private readonly ConcurrentQueue<AvatarPlaybackEvent> _played = new();
        private readonly ConcurrentDictionary<AvatarPlaybackEvent, TimeSpan> _raisedAt = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _reading = Task.CompletedTask;

        private AvatarRoom(FakeTimeProvider clock, HeyGenEmulator emulator, RealtimeSessionContext realtime, IAvatarMediaSession media, ClientWebSocket socket)
        {
            Clock = clock;
            Emulator = emulator;
            Realtime = realtime;
            Media = media;
            Socket = socket;
        }

        public FakeTimeProvider Clock { get; }

        public HeyGenEmulator Emulator { get; }

        public RealtimeSessionContext Realtime { get; }

        public IAvatarMediaSession Media { get; }

        public ClientWebSocket Socket { get; }

        public IReadOnlyList<string> Messages => [.. _messages];

        public IReadOnlyList<VideoSample> Frames => [.. _frames.OrderBy(f => f.Timestamp)];

        /// <summary>The lip pixels of a closed mouth: those of the first frame, drawn before any speech.</summary>
        public int ClosedLipPixels => Frames[0].LipPixels;

        public bool MouthOpen(VideoSample frame) => frame.LipPixels > ClosedLipPixels;

        public IReadOnlyList<AvatarPlaybackEvent> Played => [.. _played];

        /// <summary>The avatar's clock when it raised <paramref name="played"/>.</summary>
        public TimeSpan RaisedAt(AvatarPlaybackEvent played) => _raisedAt[played];

        public static async Task<AvatarRoom> StartAsync()
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
            HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
            {
                RealtimeOnly = true,
                TimeProvider = clock,
                Avatar = new EmulatedAvatarOptions { Width = 100, Height = 100, FrameRate = FrameRate },
            });
            RealtimeSessionContext realtime = emulator.OpenRealtimeSession();
            IAvatarMediaSession media = await emulator.MediaConnector.ConnectAsync(
                new AvatarMediaConnectRequest(realtime.Session.LiveKitUrl!, realtime.Session.AccessToken!, "avatar") { VideoFormat = PixelFormat.Rgb24, AudioSampleRate = 24_000 },
                CancellationToken.None);
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(emulator.RealtimeEndpointFor(realtime), CancellationToken.None);
            var room = new AvatarRoom(clock, emulator, realtime, media, socket);
            realtime.Avatar.Played += e =>
            {
                room._raisedAt[e] = realtime.Avatar.ClockTime;
                room._played.Enqueue(e);
            };
            room._reading = Task.WhenAll(room.ReadVideoAsync(), room.ReadMessagesAsync());
            await room.WaitForMessageAsync("session.state_updated connected");
            return room;
        }

        public async Task AdvanceAsync(TimeSpan duration)
        {
            for (TimeSpan moved = TimeSpan.Zero; moved < duration; moved += Step)
            {
                Clock.Advance(duration - moved < Step ? duration - moved : Step);

                // Let the avatar's media catch up with its clock (every block due played), so a busy machine never
                // makes it skip ahead.
                TimeSpan due = TimeSpan.FromTicks(Realtime.Avatar.ClockTime.Ticks / Step.Ticks * Step.Ticks);
                await FakeClockPump.WaitUntilAsync(() => Realtime.Avatar.MediaTime >= due, $"the avatar playing up to {due}", TimeSpan.FromSeconds(20));
            }
        }

        public async Task SpeakAsync(string id, byte[] pcm, bool end = true)
        {
            await SendAsync($$"""{"type":"agent.speak","event_id":"{{id}}","audio":"{{Convert.ToBase64String(pcm)}}"}""");
            if (end)
            {
                await SendAsync($$"""{"type":"agent.speak_end","event_id":"{{id}}"}""");
                await WaitForMessageAsync("agent.audio_buffer_committed");
            }
            else
            {
                await WaitForMessageAsync("agent.speak_started " + id);
            }
        }

        public Task SendAsync(string json) => Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

        public Task WaitForMessageAsync(string message) =>
            FakeClockPump.WaitUntilAsync(() => _messages.Contains(message), $"the emulator sending '{message}'", TimeSpan.FromSeconds(20));

        public Task WaitForFramesUntilAsync(TimeSpan mediaTime) =>
            FakeClockPump.WaitUntilAsync(() => _frames.Any(f => f.Timestamp >= mediaTime), $"video up to {mediaTime}", TimeSpan.FromSeconds(20));

        /// <summary>The timestamps of the first and last frames whose mouth is open.</summary>
        public (TimeSpan First, TimeSpan Last) OpenMouthSpan()
        {
            Frames[0].Timestamp.Should().Be(TimeSpan.Zero, "the first frame shows the idle face");
            List<VideoSample> open = Frames.Where(MouthOpen).ToList();
            open.Should().NotBeEmpty("the avatar spoke");
            return (open[0].Timestamp, open[^1].Timestamp);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Socket.Abort();
            await Media.DisposeAsync();
            await Emulator.DisposeAsync();
            await _reading.WaitAsync(TimeSpan.FromSeconds(20));
            Socket.Dispose();
            _stop.Dispose();
        }

        private async Task ReadVideoAsync()
        {
            try
            {
                await foreach (RemoteVideoBuffer frame in Media.ReadVideoAsync(_stop.Token))
                {
                    using (frame)
                    {
                        _frames.Enqueue(new VideoSample(frame.Timestamp, LipPixels(frame.Data.Span)));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test is over.
            }
        }

        private async Task ReadMessagesAsync()
        {
            byte[] buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    int length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await Socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    using JsonDocument json = JsonDocument.Parse(buffer.AsMemory(0, length));
                    JsonElement root = json.RootElement;
                    string type = root.GetProperty("type").GetString()!;
                    string detail = type switch
                    {
                        "session.state_updated" => root.GetProperty("state").GetString()!,
                        "agent.state_updated" => root.GetProperty("new_state").GetString()!,
                        "agent.speak_started" or "agent.speak_ended" or "agent.speak_interrupted" => root.GetProperty("event_id").GetString()!,
                        _ => string.Empty,
                    };
                    _messages.Enqueue(detail.Length == 0 ? type : $"{type} {detail}");
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // The test is over.
            }
        }

        // The renderer draws the lips in one colour (150, 40, 52); the more of it, the wider the mouth.
        private static int LipPixels(ReadOnlySpan<byte> rgb)
        {
            int count = 0;
            for (int i = 0; i + 2 < rgb.Length; i += 3)
            {
                if (rgb[i] == 150 && rgb[i + 1] == 40 && rgb[i + 2] == 52)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>A video frame: its timestamp and how many pixels of its mouth show lip colour.</summary>
    private sealed record VideoSample(TimeSpan Timestamp, int LipPixels);
}
