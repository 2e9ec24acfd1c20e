using System.Diagnostics;
using Pipeline.Core.Diagnostics;
using Pipeline.Core.Frames;
using Pipeline.HeyGen.Diagnostics;

namespace Pipeline.HeyGen.Video.Tests.Telemetry;

/// <summary>
/// A whole avatar session against the emulator, observed in process with a <see cref="System.Diagnostics.Metrics.MeterListener"/>
/// and an <see cref="ActivityListener"/>: what an OpenTelemetry exporter would be given.
/// </summary>
public sealed class AvatarTelemetryTests
{
    [Fact]
    public async Task A_session_with_a_spoken_and_an_interrupted_utterance_is_counted_traced_and_leaks_no_secret()
    {
        using var telemetry = new TelemetryRecorder();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(harness: new AvatarHarnessOptions { MeterFactory = telemetry });
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        string sessionId = h.Service.SessionId!;
        telemetry.Sum("pipeline.avatar.sessions.open").Should().Be(1, "the session is open while the pipeline runs");

        // One utterance spoken in full.
        byte[] shortSpeech = Speech.Make(TimeSpan.FromSeconds(1), 24_000);
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "spoken" }, .. Speech.TtsFrames(shortSpeech, 24_000, "spoken"),
            new TTSStoppedFrame { ContextId = "spoken" }]);
        await h.AdvanceUntilAsync(() => Utterance(telemetry, "spoken") is not null, TimeSpan.FromSeconds(10), "the first utterance spoken");

        // One cut off by an interruption while the avatar speaks it.
        byte[] longSpeech = Speech.Make(TimeSpan.FromSeconds(6), 24_000);
        await h.QueueAsync([new TTSStartedFrame { ContextId = "cut" }, .. Speech.TtsFrames(longSpeech, 24_000, "cut")]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Count() >= 2, TimeSpan.FromSeconds(3), "the avatar speaking again");
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(500));
        await h.Task.QueueFrameAsync(new InterruptionFrame());
        await h.AdvanceUntilAsync(() => Utterance(telemetry, "cut") is not null, TimeSpan.FromSeconds(10), "the second utterance interrupted");

        await h.QueueAsync(new EndFrame());
        await h.FinishAsync();

        // Metrics: one session opened and closed, none open or failing to close; the speech measured.
        telemetry.Sum("pipeline.avatar.sessions.opened").Should().Be(1);
        telemetry.Sum("pipeline.avatar.sessions.closed").Should().Be(1);
        telemetry.Sum("pipeline.avatar.sessions.close_failed").Should().Be(0);
        telemetry.Sum("pipeline.avatar.sessions.open").Should().Be(0, "the open-sessions gauge is back to zero");
        telemetry.Own("pipeline.avatar.session.start.duration").Should().ContainSingle().Which.Tag("error.type").Should().BeNull();
        telemetry.Sum("pipeline.avatar.interruptions").Should().Be(1);
        telemetry.Own("pipeline.avatar.utterances").Select(m => m.Tag("pipeline.outcome")).Should().BeEquivalentTo(["spoken", "interrupted"]);
        telemetry.Own("pipeline.avatar.speak.latency").Should().NotBeEmpty().And.OnlyContain(m => m.Value >= 0);
        telemetry.Own("pipeline.processor.ttfb").Should().Contain(m => (string?)m.Tag("pipeline.processor.type") == "HeyGenVideoService" && m.Value >= 0);
        telemetry.AllMeasurements.Where(m => m.Instrument == "heygen.api.request.duration")
            .Should().Contain(m => (string?)m.Tag("heygen.api.operation") == "streaming.new" && (int?)m.Tag("http.response.status_code") == 200);

        // Traces: the session, its start and close, each utterance with its outcome, all in one trace.
        Activity session = telemetry.Activities.Single(a => a.OperationName == "avatar.session" && (string?)a.GetTagItem("pipeline.avatar.session.id") == sessionId);
        session.Source.Name.Should().Be(CoreTelemetry.ActivitySourceName);
        session.Status.Should().Be(ActivityStatusCode.Ok);
        Activity[] trace = [.. telemetry.Activities.Where(a => a.TraceId == session.TraceId)];
        trace.Should().ContainSingle(a => a.OperationName == "avatar.session.start" && a.ParentSpanId == session.SpanId && a.Status == ActivityStatusCode.Ok);
        trace.Should().ContainSingle(a => a.OperationName == "avatar.session.close" && a.ParentSpanId == session.SpanId
            && (string?)a.GetTagItem("pipeline.avatar.close.reason") == "end of pipeline" && a.Status == ActivityStatusCode.Ok);
        Activity spoken = Utterance(telemetry, "spoken")!;
        spoken.ParentSpanId.Should().Be(session.SpanId);
        spoken.Status.Should().Be(ActivityStatusCode.Ok);
        spoken.GetTagItem("pipeline.outcome").Should().Be("spoken");
        spoken.Events.Select(e => e.Name).Should().Contain("avatar.speaking");
        Activity cut = Utterance(telemetry, "cut")!;
        cut.GetTagItem("pipeline.outcome").Should().Be("interrupted");
        cut.Status.Should().Be(ActivityStatusCode.Ok, "an interruption is not an error");

        // REST calls: one activity each, with HttpClient's own activity beneath it instead of a duplicate of it.
        Activity create = trace.Single(a => a.Source.Name == HeyGenTelemetry.ActivitySourceName && a.OperationName == "HeyGen streaming.new");
        create.GetTagItem("http.response.status_code").Should().Be(200);
        trace.Should().Contain(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == create.SpanId);
        telemetry.Activities.Should().Contain(a => a.OperationName == "HeyGen streaming.stop" && (string?)a.GetTagItem("pipeline.avatar.session.id") == sessionId);

        // No secret anywhere an exporter would send it.
        string[] secrets = [h.Emulator.ApiKey, .. h.Emulator.Secrets];
        secrets.Should().HaveCountGreaterThan(2, "the API key and the session's tokens are known");
        string[] exported = [.. trace.SelectMany(Texts), .. telemetry.AllMeasurements.SelectMany(m => m.Tags.Select(t => $"{t.Key}={t.Value}"))];
        exported.Should().NotBeEmpty();
        foreach (string secret in secrets)
        {
            exported.Should().NotContain(text => text.Contains(secret, StringComparison.Ordinal), "no tag, name or event may carry a key or token");
        }

        exported.Should().NotContain(text => text.Contains("token=", StringComparison.OrdinalIgnoreCase) || text.Contains("Bearer", StringComparison.Ordinal));
    }

    private static Activity? Utterance(TelemetryRecorder telemetry, string id) =>
        telemetry.Activities.SingleOrDefault(a => a.OperationName == "avatar.utterance" && (string?)a.GetTagItem("pipeline.avatar.utterance.id") == id);

    // Everything of an activity an exporter sends as text: its names, tags, status, events and links.
    private static IEnumerable<string> Texts(Activity activity) =>
    [
        activity.OperationName, activity.DisplayName, activity.StatusDescription ?? string.Empty,
        .. activity.TagObjects.Select(t => $"{t.Key}={t.Value}"),
        .. activity.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}").Append(e.Name)),
        .. activity.Links.SelectMany(l => (l.Tags ?? []).Select(t => $"{t.Key}={t.Value}")),
        .. activity.Baggage.Select(b => $"{b.Key}={b.Value}"),
    ];
}
