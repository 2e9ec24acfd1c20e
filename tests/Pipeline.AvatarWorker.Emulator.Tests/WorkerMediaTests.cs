using System.Collections.Concurrent;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>
/// The worker as a viewer and the agent see it over real WebRTC: it joins, publishes a camera and a microphone, plays
/// the agent's speech with the mouth moving and the audio audible exactly while it plays, receives every byte the
/// agent sent, and reports started/finished with the utterance's length.
/// </summary>
public sealed class WorkerMediaTests
{
    private const string Worker = "avatar-worker";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_worker_plays_the_agents_speech_lip_synced_to_a_viewer_and_reports_its_playback()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        var mouth = new ConcurrentQueue<(long At, int LipPixels)>();
        var loudness = new ConcurrentQueue<(long At, double Rms)>();
        var subscribed = new ConcurrentDictionary<TrackKind, Task>();
        VideoStream? video = null;
        AudioStream? audio = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (WorkerRig rig = await WorkerRig.StartAsync(timeout.Token))
        {
            var viewer = new Room(TestLogging.Factory);
            var bothTracks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            viewer.TrackSubscribed += (_, e) =>
            {
                if (e.Track.ParticipantIdentity != Worker)
                {
                    return;
                }

                if (e.Track.Kind == TrackKind.Video)
                {
                    video = VideoStream.Create(e.Track, new VideoStreamOptions { Format = PixelFormat.Rgb24 });
                    subscribed[TrackKind.Video] = Task.Run(() => WatchMouthAsync(video, mouth, clock, timeout.Token));
                }
                else
                {
                    audio = AudioStream.Create(e.Track, new AudioStreamOptions { SampleRate = 16_000, Channels = 1 });
                    subscribed[TrackKind.Audio] = Task.Run(() => WatchLoudnessAsync(audio, loudness, clock, timeout.Token));
                }

                if (subscribed.Count == 2)
                {
                    bothTracks.TrySetResult();
                }
            };
            try
            {
                await viewer.ConnectAsync(rig.Sfu.Url, WorkerTokens.Participant("viewer"), WorkerRig.ConnectOptions, timeout.Token);
                WorkerSessionRecord session = await rig.DispatchAsync(Worker, timeout.Token);
                await session.Joined.WaitAsync(timeout.Token);
                await bothTracks.Task.WaitAsync(timeout.Token);
                session.VideoPublished.Should().BeTrue();
                session.AudioPublished.Should().BeTrue();
                viewer.GetParticipant(Worker)!.Publications.Select(p => p.Source).Should().BeEquivalentTo([TrackSource.Camera, TrackSource.Microphone]);
                viewer.GetParticipant(Worker)!.Kind.Should().Be(ParticipantKind.Agent, "the worker joined with the agent-kind token it was given");

                // The idle avatar first: some frames and audio before any speech.
                await WaitUntilAsync(() => mouth.Count >= 10 && loudness.Count >= 50, timeout.Token);
                long speechSent = clock.ElapsedMilliseconds;
                byte[] pcm = WorkerRig.Tone(TimeSpan.FromMilliseconds(1500), 24_000);
                string streamId = await rig.SpeakAsync(Worker, pcm, 24_000, 1, timeout.Token);

                RpcInvocation started = await rig.Started.Reader.ReadAsync(timeout.Token);
                RpcInvocation finished = await rig.Finished.Reader.ReadAsync(timeout.Token);
                started.CallerIdentity.Should().Be(Worker);
                started.Payload.Should().BeEmpty();
                finished.CallerIdentity.Should().Be(Worker);
                (double position, bool interrupted) = WorkerRig.ParseFinished(finished);
                interrupted.Should().BeFalse();
                position.Should().BeApproximately(1.5, 0.001, "the whole utterance played");

                // Then the viewer sees the mouth shut again and hears silence again (however late its media runs behind).
                int idleLips = mouth.Where(m => m.At < speechSent).Max(m => m.LipPixels);
                int open = 4 * Math.Max(idleLips, 10);
                await WaitUntilAsync(() => OpenedThenShut(mouth, open) && HeardThenSilent(loudness), timeout.Token);

                AudioStreamRecord stream = session.FindStream(streamId)!;
                stream.ReceivedPcm.Should().Equal(pcm, "the worker received exactly what the agent sent");
                stream.TrailerReceived.Should().BeTrue();
                stream.ChunkCount.Should().BeGreaterThanOrEqualTo(pcm.Length / 4800, "the agent sent 100 ms chunks");
                stream.SenderIdentity.Should().Be(WorkerRig.AgentIdentity);
                stream.Attributes.Should().Contain(AvatarWorkerProtocol.SampleRateAttribute, "24000").And.Contain(AvatarWorkerProtocol.ChannelsAttribute, "1");
                stream.PlaybackStartedAt.Should().NotBeNull();
                await WaitUntilAsync(() => session.RpcsSent.All(r => r.Completion.IsCompleted), timeout.Token);
                session.RpcsSent.Select(r => r.Method).Should().Equal(AvatarWorkerProtocol.PlaybackStartedMethod, AvatarWorkerProtocol.PlaybackFinishedMethod);
                session.RpcsSent.Should().OnlyContain(r => r.Answer == "" && r.Error == null && r.StreamId == streamId);

                // What the viewer saw and heard: a closed mouth and silence before, an open mouth and the tone while it
                // played, and closed and silent again after.
                var frames = mouth.ToList();
                frames.Max(m => m.LipPixels).Should().BeGreaterThan(open, "the mouth opens to over 4 times its idle size while the speech plays");

                var heard = loudness.ToList();
                var loudFrames = heard.Where(l => l.Rms > 0.05).ToList();
                heard.Where(l => l.At < speechSent).Should().OnlyContain(l => l.Rms < 0.01, "the idle avatar is silent");
                loudFrames.Should().OnlyContain(l => l.At > speechSent, "nothing is heard before the agent spoke");

                // The receiver's jitter buffer (NetEq) may compress or stretch audio that arrives in bursts on a loaded
                // machine, so the heard length is compared with the sent 1.5 s within a factor, not to the frame.
                (loudFrames.Count * 10).Should().BeInRange(750, 2250, "about the 1.5 s that were sent are heard, in 10 ms frames");
                (loudFrames[^1].At - loudFrames[0].At).Should().BeLessThan(3000, "it is heard as one utterance");
            }
            finally
            {
                video?.Dispose();
                audio?.Dispose();
                await viewer.DisposeAsync();
            }

            await rig.Emulator.DisposeAsync();
            rig.Emulator.Ledger.Running.Should().BeEmpty();
            rig.Emulator.Ledger.Sessions.Single().LeaveReason.Should().Be(WorkerLeaveReason.EmulatorDisposed);
        }

        await Task.WhenAll(subscribed.Values).WaitAsync(timeout.Token);
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "the worker's room, tracks and sources are all released");
        TestLogging.Provider.Messages.Should().NotContain(m => m.Contains(WorkerTokens.Mint(Worker, WorkerRig.AgentIdentity).Split('.')[1], StringComparison.Ordinal));
    }

    /// <summary>Whether a wide-open mouth was seen and the last 10 frames show it shut again.</summary>
    private static bool OpenedThenShut(ConcurrentQueue<(long At, int LipPixels)> mouth, int open)
    {
        var frames = mouth.ToList();
        return frames.Any(m => m.LipPixels > open) && frames.Count > 10 && frames[^10..].All(m => m.LipPixels < open / 4);
    }

    /// <summary>Whether the tone was heard and the last 50 audio frames (0.5 s) are silent again.</summary>
    private static bool HeardThenSilent(ConcurrentQueue<(long At, double Rms)> loudness)
    {
        var frames = loudness.ToList();
        return frames.Any(l => l.Rms > 0.05) && frames.Count > 50 && frames[^50..].All(l => l.Rms < 0.01);
    }

    /// <summary>Counts lip-coloured pixels (red well above green) in each frame the viewer receives.</summary>
    private static async Task WatchMouthAsync(VideoStream stream, ConcurrentQueue<(long, int)> mouth, System.Diagnostics.Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            while (await stream.ReadAsync(cancellationToken) is { } frame)
            {
                using (frame)
                {
                    ReadOnlySpan<byte> rgb = frame.PackedData.Span;
                    int lips = 0;
                    for (int i = 0; i + 2 < rgb.Length; i += 3)
                    {
                        if (rgb[i] > 100 && rgb[i] - rgb[i + 1] > 75)
                        {
                            lips++;
                        }
                    }

                    mouth.Enqueue((clock.ElapsedMilliseconds, lips));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The test is over.
        }
    }

    /// <summary>Measures each 10 ms audio frame's RMS level (0 to 1).</summary>
    private static async Task WatchLoudnessAsync(AudioStream stream, ConcurrentQueue<(long, double)> loudness, System.Diagnostics.Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            while (await stream.ReadAsync(cancellationToken) is { } frame)
            {
                using (frame)
                {
                    loudness.Enqueue((clock.ElapsedMilliseconds, Pcm16.Rms(frame.Data.Span)));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The test is over.
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        // Polls a condition fed by media callbacks (no event to wait on); the test's overall timeout bounds it.
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
