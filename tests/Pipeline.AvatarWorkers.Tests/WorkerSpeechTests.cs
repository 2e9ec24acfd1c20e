using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pipeline.Core.Avatars;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>
/// The worker session over real WebRTC (the loopback SFU): what the worker receives, when, and how interruptions and
/// playback reports travel, with a stand-in worker participant on the other side.
/// </summary>
public sealed class WorkerSpeechTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_worker_gets_each_utterance_byte_equal_as_one_closed_stream_with_its_format()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join, new WorkerBehaviour { PublishVideo = true });
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        await using IAvatarSession session = await h.OpenAsync(timeout.Token);
        TestWorker worker = await h.Dispatcher.Worker;
        RemoteParticipant seen = h.Agent.GetParticipant(h.Dispatcher.WorkerIdentity)!;
        seen.Publications.Should().Contain(p => p.Kind == TrackKind.Video, "the session waited for the worker's video");
        seen.Kind.Should().Be(ParticipantKind.Agent, "the server took the kind from the token the session minted");
        seen.Attributes.Should().Contain(AvatarWorkerProtocol.PublishOnBehalfAttribute, "agent");
        session.Media.Should().BeEmpty("the worker publishes into the room itself");
        session.SupportsListening.Should().BeFalse();
        session.RoomAccess.Should().BeNull();
        session.SpeechSampleRate.Should().Be(WorkerHarness.SampleRate);

        byte[] first = WorkerHarness.Speech(TimeSpan.FromMilliseconds(700), seed: 1);
        byte[] second = WorkerHarness.Speech(TimeSpan.FromMilliseconds(300), seed: 2);
        IAvatarUtterance a = session.BeginUtterance("a");
        // Uneven pieces, as TTS delivers them; the session cuts its own chunks.
        await a.AppendAsync(first.AsMemory(0, 2_002), timeout.Token);
        await a.AppendAsync(first.AsMemory(2_002, 13_000), timeout.Token);
        await a.AppendAsync(first.AsMemory(15_002), timeout.Token);
        await a.EndAsync(timeout.Token);
        await a.EndAsync(timeout.Token); // idempotent
        IAvatarUtterance b = session.BeginUtterance("b");
        await b.AppendAsync(second, timeout.Token);
        await b.EndAsync(timeout.Token);
        IAvatarUtterance silent = session.BeginUtterance("silent");
        await silent.EndAsync(timeout.Token);

        await silent.Completion.WaitAsync(Bound);
        await Task.WhenAll(a.Completion, b.Completion).WaitAsync(Bound);
        silent.HasSpeech.Should().BeFalse();
        a.HasSpeech.Should().BeTrue();

        worker.Streams.Should().HaveCount(2, "one stream per utterance with speech, none for a silent one");
        foreach ((ReceivedStream stream, byte[] sent) in worker.Streams.Zip([first, second]))
        {
            stream.Sender.Should().Be("agent");
            stream.EndedNormally.Should().BeTrue("the stream is closed at the utterance's end");
            stream.Attributes.Should().Contain(AvatarWorkerProtocol.SampleRateAttribute, "24000").And.Contain(AvatarWorkerProtocol.ChannelsAttribute, "1");
            stream.Bytes.Should().Equal(sent, "the worker receives exactly the speech sent");
        }

        await h.Changed.WaitUntilAsync(() => h.Events.OfType<AvatarStoppedSpeaking>().Any(), Bound, "the avatar to stop speaking");
        h.Events.Should().StartWith(new AvatarStartedSpeaking()).And.ContainSingle(e => e is AvatarStoppedSpeaking, "started once, stopped once the worker had played both");
        h.Events.OfType<AvatarError>().Should().BeEmpty();

        IReadOnlyList<AvatarError> errors = await session.CloseAsync("test done");
        errors.Should().BeEmpty();
        h.Dispatcher.Ends.Should().Be(1);
        h.RoomService.Removals.Should().ContainSingle();
        await h.Changed.WaitUntilAsync(() => h.Agent.GetParticipant(h.Dispatcher.WorkerIdentity) is null, Bound, "the worker to leave");
        (await h.ParticipantsAsync()).Should().Equal(["agent"], "the server removed the worker: nothing is left running");
        h.Agent.ConnectionState.Should().Be(RoomConnectionState.Connected, "the agent's room belongs to its transport");
    }

    [Fact]
    public async Task The_worker_token_and_the_admin_token_carry_LiveKits_claims_and_never_reach_a_message()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        IAvatarSession session = await h.OpenAsync(timeout.Token);
        AvatarWorkerDispatchRequest request = h.Dispatcher.Request!;
        await session.CloseAsync("test done");

        request.RoomName.Should().Be(h.Agent.Name);
        request.AgentIdentity.Should().Be("agent");
        request.WorkerIdentity.Should().Be(h.Dispatcher.WorkerIdentity);
        request.LiveKitUrl.Should().Be(h.Sfu.Url);
        request.ToString().Should().NotContain(request.WorkerToken);
        JsonElement claims = Verify(request.WorkerToken);
        claims.GetProperty("iss").GetString().Should().Be(WorkerHarness.ApiKey);
        claims.GetProperty("sub").GetString().Should().Be(h.Dispatcher.WorkerIdentity);
        claims.GetProperty("kind").GetString().Should().Be("agent");
        claims.GetProperty("attributes").GetProperty(AvatarWorkerProtocol.PublishOnBehalfAttribute).GetString().Should().Be("agent");
        claims.GetProperty("video").GetProperty("roomJoin").GetBoolean().Should().BeTrue();
        claims.GetProperty("video").GetProperty("room").GetString().Should().Be(h.Agent.Name);

        RoomServiceCall removal = h.RoomService.Removals.Should().ContainSingle().Subject;
        removal.Body.GetProperty("room").GetString().Should().Be(h.Agent.Name);
        removal.Body.GetProperty("identity").GetString().Should().Be(h.Dispatcher.WorkerIdentity);
        JsonElement admin = removal.VerifiedClaims(WorkerHarness.ApiSecret) ?? throw new InvalidOperationException("the admin token's signature is wrong");
        admin.GetProperty("video").GetProperty("roomAdmin").GetBoolean().Should().BeTrue();
        admin.GetProperty("video").GetProperty("roomJoin").GetBoolean().Should().BeFalse();
        admin.GetProperty("video").GetProperty("room").GetString().Should().Be(h.Agent.Name);
    }

    [Fact]
    public async Task Speech_never_runs_more_than_the_audio_lead_ahead_of_real_time()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        await using IAvatarSession session = await h.OpenAsync(timeout.Token);
        byte[] speech = WorkerHarness.Speech(TimeSpan.FromSeconds(2), seed: 3);
        TimeSpan lead = new LiveKitAvatarWorkerOptions().AudioLead;

        IAvatarUtterance utterance = session.BeginUtterance("paced");
        await utterance.AppendAsync(speech, timeout.Token); // all of it at once: the session paces
        await utterance.EndAsync(timeout.Token);

        IReadOnlyList<(long At, int Bytes)> chunks = h.Chunks;
        chunks.Sum(c => c.Bytes).Should().Be(speech.Length);
        long start = chunks[0].At;
        long bytes = 0;
        foreach ((long at, int size) in chunks)
        {
            bytes += size;
            TimeSpan audio = TimeSpan.FromSeconds(bytes / 2.0 / WorkerHarness.SampleRate);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start, at);
            // The first chunk's own audio counts as ahead too; 50 ms covers timer granularity, not speed.
            (audio - elapsed).Should().BeLessThanOrEqualTo(lead + TimeSpan.FromMilliseconds(50), "at most the lead is sent ahead of real time");
        }

        Stopwatch.GetElapsedTime(start, chunks[^1].At).Should().BeGreaterThanOrEqualTo(
            TimeSpan.FromSeconds(2) - lead - TimeSpan.FromMilliseconds(50), "2 s of speech cannot leave faster than real time minus the lead");
        await utterance.Completion.WaitAsync(Bound); // the worker reports it played the whole stream
        (await h.Dispatcher.Worker).Streams.Single().Bytes.Should().Equal(speech);
    }

    private static JsonElement Verify(string jwt)
    {
        string[] parts = jwt.Split('.');
        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(WorkerHarness.ApiSecret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Base64Url.DecodeFromChars(parts[2]).Should().Equal(expected, "the worker's token is signed with the project's secret");
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Should().NotContain(WorkerHarness.ApiSecret);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
    }
}
