using System.Text.Json;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Metrics;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>
/// Direct-room mode: the avatar publishes straight into the user's room, so its media never enters the bot process;
/// the bot still drives its speech and hears when it talks, and the session is billed and closed as in relay mode.
/// </summary>
public sealed class DirectRoomTests
{
    private const string UsersRoom = "support-42";
    private const string UsersServer = "wss://rooms.example.test";
    private const string AvatarToken = "avatar-token-for-the-users-room-0123456789";

    [Fact]
    public async Task A_LiveAvatar_session_in_your_room_sends_the_room_config_and_the_bot_joins_no_room()
    {
        var connector = new ForbiddenConnector();
        await using AvatarHarness h = await CreateAsync(ownRoom: true, connector);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is AvatarRoomReadyFrame), "the room handed out");

        await SpeakAsync(h, "u1", TimeSpan.FromSeconds(1));
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        RecordedRequest token = h.Emulator.Requests.For(EmulatorEndpoint.LiveAvatarToken).Should().ContainSingle().Subject;
        using (JsonDocument body = token.BodyJson())
        {
            JsonElement config = body.RootElement.GetProperty("livekit_config");
            config.GetProperty("livekit_url").GetString().Should().Be(UsersServer);
            config.GetProperty("livekit_room").GetString().Should().Be(UsersRoom);
            config.GetProperty("livekit_client_token").GetString().Should().Be(AvatarJwt());
            body.RootElement.GetProperty("mode").GetString().Should().Be("LITE");
        }

        token.UnknownFields.Should().BeEmpty();
        h.Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStart).Should().Be(1);
        EmulatedSession session = h.Emulator.Sessions.All.Should().ContainSingle().Subject;
        session.LiveKitRoom.Should().Be(UsersRoom, "the avatar publishes into the user's room");
        session.LiveKitUrl.Should().BeNull("LiveAvatar hands out no room of its own");
        connector.Calls.Should().Be(0, "no media session is opened: the bot never joins a room for the avatar's media");
        h.Video.Should().BeEmpty();
        h.Audio.Should().BeEmpty();
        h.Service.VideoFramesPushed.Should().Be(0);
        h.Service.AudioFramesPushed.Should().Be(0);

        AvatarRoomAccess room = h.AtEnd.OfType<AvatarRoomReadyFrame>().Should().ContainSingle().Subject.Access;
        room.Url.Should().Be(new Uri(UsersServer));
        room.RoomName.Should().Be(UsersRoom);
        room.AvatarIdentity.Should().Be("my-avatar", "the avatar's identity is its token's subject");
        room.ProviderManaged.Should().BeFalse();
        room.ClientToken.Should().BeNull("you mint your user's tokens; the avatar's own token is not handed on");
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStop).Should().Be(1);
        h.Errors.Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Speaking_frames_follow_the_TTS_in_order_without_any_output_transport_ready(bool liveAvatar)
    {
        await using AvatarHarness h = await CreateAsync(ownRoom: liveAvatar, new ForbiddenConnector(), liveAvatar);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is AvatarRoomReadyFrame), "the room handed out");
        RealtimeEventRecorder recorder = h.Realtime.Recorder;

        // No OutputTransportReadyFrame ever: nothing of the avatar passes through the pipeline, so nothing waits for it.
        byte[] first = await SpeakAsync(h, "u1", TimeSpan.FromSeconds(1));
        byte[] second = await SpeakAsync(h, "u2", TimeSpan.FromMilliseconds(600));
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        recorder.AudioOf("u1").Should().Equal(Speech.ResampledTo24k(first, 16_000, TimeSpan.FromMilliseconds(20)), "the TTS audio still goes to the avatar");
        recorder.AudioOf("u2").Should().Equal(Speech.ResampledTo24k(second, 16_000, TimeSpan.FromMilliseconds(20)));
        List<Frame> order = [.. h.AtEnd.Where(f => f is StartFrame or AvatarRoomReadyFrame or TTSStartedFrame or BotStartedSpeakingFrame or BotStoppedSpeakingFrame or EndFrame)];
        order.Select(f => f.GetType().Name).Should().Equal(
            nameof(StartFrame), nameof(AvatarRoomReadyFrame),
            nameof(TTSStartedFrame), nameof(BotStartedSpeakingFrame), nameof(BotStoppedSpeakingFrame),
            nameof(TTSStartedFrame), nameof(BotStartedSpeakingFrame), nameof(BotStoppedSpeakingFrame),
            nameof(EndFrame));
        h.AtEnd.OfType<TTSTextFrame>().Select(t => t.Text).Should().Equal("u1 said.", "u2 said.");
        h.Service.VideoFramesDroppedBeforeReady.Should().Be(0, "no media reached the gate");
        h.AtEnd.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtfbMetricsData>()
            .Should().HaveCount(2, "time to first byte ends when the avatar starts talking, as no media follows");
        h.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task The_Interactive_Avatar_way_hands_the_app_the_room_url_and_client_token_and_never_logs_them()
    {
        var emulatorLogs = new CapturingLoggerProvider();
        using Microsoft.Extensions.Logging.ILoggerFactory emulatorFactory = emulatorLogs.CreateFactory();
        var connector = new ForbiddenConnector();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(
            configure: o => o.MediaMode = AvatarMediaMode.DirectRoom,
            wrapConnector: _ => connector,
            emulatorLoggerFactory: emulatorFactory,
            harness: new AvatarHarnessOptions { CaptureLogs = true });
        h.Start();
        AvatarRoomReadyFrame ready = (AvatarRoomReadyFrame)await h.Pipeline.WhenAtEnd(f => f is AvatarRoomReadyFrame).WaitAsync(AvatarHarness.Hang);
        await SpeakAsync(h, "u1", TimeSpan.FromMilliseconds(800));
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        EmulatedSession session = h.Emulator.Sessions.All.Should().ContainSingle().Subject;
        AvatarRoomAccess room = ready.Access;
        room.Should().BeSameAs(h.Service.RoomAccess);
        room.Url.Should().Be(session.LiveKitUrl, "the user joins HeyGen's room (its url)");
        room.ClientToken.Should().Be(session.AccessToken, "with the session's access_token");
        room.AgentToken.Should().Be(session.AgentToken, "the bot may join the same room (to hear the user) with the agent token");
        room.AvatarIdentity.Should().Be("heygen");
        room.ProviderManaged.Should().BeTrue();
        connector.Calls.Should().Be(0);
        h.Video.Should().BeEmpty();
        h.Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStop).Should().Be(1);

        // Everything a person could read: every log line (ours and the emulator's), errors, frames, the room's printed
        // and serialized forms. The room's tokens are handed out on purpose, and only through its properties.
        string[] secrets = [room.ClientToken!, room.AgentToken!];
        List<(string Where, string Text)> texts =
        [
            .. h.Logs.Lines.Select(l => ($"log {l.Category}", l.FullText)),
            .. emulatorLogs.Lines.Select(l => ($"emulator log {l.Category}", l.FullText)),
            .. h.Errors.Select(e => ("error", e.Message)),
            .. h.AtEnd.Select(f => ($"frame {f.Name}", f.ToString())),
            ("AvatarRoomAccess.ToString", room.ToString()),
            ("AvatarRoomAccess as JSON", JsonSerializer.Serialize(room)),
        ];
        h.Logs.Lines.Should().Contain(l => l.FullText.Contains("direct-room"), "the mode is logged, so the scan covers that line");
        room.ToString().Should().Contain(room.Url.Host).And.Contain("***");
        LeaksOf(secrets, texts).Should().BeEmpty();
    }

    public enum Ending
    {
        End,
        Cancel,
        RealtimeLostForGood,
    }

    [Theory]
    [InlineData(Ending.End)]
    [InlineData(Ending.Cancel)]
    [InlineData(Ending.RealtimeLostForGood)]
    public async Task The_session_is_closed_exactly_once_however_the_run_ends(Ending ending)
    {
        var connector = new ForbiddenConnector();
        await using AvatarHarness h = await CreateAsync(ownRoom: true, connector, harness: AvatarHarnessOptions.Reliability);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is AvatarRoomReadyFrame), "the room handed out");
        await h.QueueAsync([new TTSStartedFrame { ContextId = "c" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(3), 16_000), 16_000, "c")]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), TimeSpan.FromSeconds(3), "the avatar talking");

        switch (ending)
        {
            case Ending.End:
                await h.QueueAsync(new TTSStoppedFrame { ContextId = "c" }, new EndFrame());
                break;
            case Ending.Cancel:
                h.Task.Cancel();
                break;
            default:
                RealtimeSessionContext live = h.Realtime;
                live.Faults.RejectUpgradeWithStatus = 503;
                live.DropConnection();
                break;
        }

        PipelineFinish finish = await h.EndAsync();
        switch (ending)
        {
            case Ending.End:
                finish.Reason.Should().Be(PipelineFinishReason.Ended);
                break;
            case Ending.Cancel:
                finish.Reason.Should().Be(PipelineFinishReason.Cancelled);
                break;
            default:
                finish.Exception.Should().BeOfType<PipelineException>().Which.Error.IsFatal.Should().BeTrue();
                break;
        }

        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStop).Should().Be(1, "the billed session is stopped exactly once");
        h.Task.RunningTaskCount.Should().Be(0);
        connector.Calls.Should().Be(0);
    }

    [Fact]
    public async Task A_start_failure_closes_the_session_it_opened_once_and_never_touches_a_room()
    {
        var connector = new ForbiddenConnector();
        await using AvatarHarness h = await CreateAsync(ownRoom: true, connector);
        h.Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarRealtime, EmulatedFault.Status(403), times: 10);
        h.Start();

        var failure = await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>();
        failure.Which.Error.Message.Should().Contain("connect the realtime websocket");
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStop).Should().Be(1);
        connector.Calls.Should().Be(0);
        h.AtEnd.OfType<AvatarRoomReadyFrame>().Should().BeEmpty();
    }

    private static Task<AvatarHarness> CreateAsync(bool ownRoom, IAvatarMediaConnector connector, bool liveAvatar = true, AvatarHarnessOptions? harness = null) =>
        AvatarHarness.CreateAsync(
            liveAvatar: liveAvatar,
            configure: o =>
            {
                o.MediaMode = AvatarMediaMode.DirectRoom;
                if (ownRoom)
                {
                    o.SessionRequest = new LiveAvatarNewSessionRequest
                    {
                        AvatarId = harness?.LiveAvatarId ?? LiveAvatarNewSessionRequest.SandboxAvatarId,
                        LiveKitConfig = new CustomLiveKitConfig
                        {
                            LiveKitUrl = UsersServer,
                            LiveKitRoom = UsersRoom,
                            LiveKitClientToken = AvatarJwt(),
                        },
                    };
                }
            },
            wrapConnector: _ => connector,
            harness: harness);

    // One utterance of TTS (16 kHz, with its text), until the avatar has finished saying it.
    private static async Task<byte[]> SpeakAsync(AvatarHarness h, string id, TimeSpan duration)
    {
        int stopped = h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count();
        byte[] speech = Speech.Make(duration, 16_000);
        await h.QueueAsync([
            new TTSStartedFrame { ContextId = id },
            .. Speech.TtsFrames(speech, 16_000, id),
            new TTSTextFrame($"{id} said.") { ContextId = id },
            new TTSStoppedFrame { ContextId = id },
        ]);
        await h.AdvanceUntilAsync(
            () => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count() > stopped && h.AtEnd.OfType<TTSTextFrame>().Any(t => t.ContextId == id),
            duration + TimeSpan.FromSeconds(3), $"the avatar saying {id}");
        return speech;
    }

    // The avatar's token for the user's room: a JWT whose subject is the avatar's identity there.
    private static string AvatarJwt()
    {
        static string B64(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64("""{"alg":"HS256","typ":"JWT"}""")}.{B64($$$"""{"sub":"my-avatar","video":{"roomJoin":true,"room":"{{{UsersRoom}}}"},"jti":"{{{AvatarToken}}}"}""")}.c2lnbmF0dXJl";
    }

    // Each secret, and every 12-character run of it (a truncated echo is a leak too), found in any text.
    private static List<string> LeaksOf(IEnumerable<string> secrets, IEnumerable<(string Where, string Text)> texts)
    {
        HashSet<string> forms = [];
        foreach (string secret in secrets)
        {
            forms.Add(secret);
            for (int i = 0; i + 12 <= secret.Length; i++)
            {
                forms.Add(secret.Substring(i, 12));
            }
        }

        return [.. from t in texts from f in forms where t.Text.Contains(f, StringComparison.Ordinal) select $"{t.Where} shows '{f}'"];
    }
}
