using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pipeline.Core.Media;
using Pipeline.LiveKit.Diagnostics;

namespace Pipeline.LiveKit.Tests;

/// <summary>Joining the avatar's room is traced and timed on Pipeline.LiveKit's activity source and meter.</summary>
public sealed class ConnectTelemetryTests
{
    private const string Token = "telemetry-test-token-5c7a";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_room_join_is_one_activity_and_one_duration_with_neither_the_url_nor_the_token()
    {
        var activities = new ConcurrentQueue<Activity>();
        var durations = new ConcurrentQueue<(double Seconds, KeyValuePair<string, object?>[] Tags)>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LiveKitTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LiveKitTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<double>((_, value, tags, _) => durations.Enqueue((value, tags.ToArray())));
        meterListener.Start();

        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--late", "--identity", "heygen");
        var connector = new LiveKitAvatarMediaConnector(TestLogging.Factory);
        var request = new AvatarMediaConnectRequest(sfu.Url, Token, "heygen") { ConnectTimeout = Budget };
        await using (IAvatarMediaSession session = await connector.ConnectAsync(request, timeout.Token))
        {
            session.AvatarPresent.Should().BeFalse();
        }

        Activity join = activities.Should().ContainSingle(a => a.OperationName == "livekit.room.connect").Which;
        join.Status.Should().Be(ActivityStatusCode.Ok);
        durations.Should().ContainSingle().Which.Tags.Should().BeEmpty("a successful join has no error.type");
        durations.Single().Seconds.Should().BeGreaterThan(0);
        string[] texts = [join.OperationName, join.DisplayName, .. join.TagObjects.Select(t => $"{t.Key}={t.Value}")];
        texts.Should().NotContain(t => t.Contains(Token, StringComparison.Ordinal) || t.Contains(sfu.Url.Host + ":" + sfu.Url.Port, StringComparison.Ordinal));
    }
}
