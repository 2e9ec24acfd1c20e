namespace Pipeline.LiveKit.Tests;

/// <summary>An AudioSource's tone comes back through an AudioStream on its local track, resampled by the engine.</summary>
public sealed class LoopbackAudioTests
{
    [Theory]
    [InlineData(16_000, 1)]
    [InlineData(24_000, 2)]
    public async Task A_440_Hz_tone_comes_back_at_the_requested_rate_and_channels(int rate, int channels)
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var stopCapture = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var segments = new List<short[]>();
        var segment = new List<short>();
        int loudSamples = 0;
        using (var source = new AudioSource(48_000, 1, queueMilliseconds: 200))
        using (var track = LocalAudioTrack.Create("tone", source))
        using (var stream = AudioStream.Create(track, new AudioStreamOptions { SampleRate = rate, Channels = channels }))
        {
            // The source is paced by the engine in real time, so this loop runs at the speed of the audio.
            Task capture = Task.Run(
                async () =>
                {
                    for (long block = 0; !stopCapture.IsCancellationRequested; block++)
                    {
                        await source.CaptureAsync(TestPatterns.Tone(440, 48_000, 1, 480, 8_000, block * 480), stopCapture.Token);
                    }
                },
                CancellationToken.None);

            await foreach (AudioFrame frame in stream.ReadAllAsync(timeout.Token))
            {
                using (frame)
                {
                    frame.SampleRate.Should().Be(rate);
                    frame.Channels.Should().Be(channels);
                    frame.SamplesPerChannel.Should().Be(rate / 100, "10 ms blocks");
                    short[] left = new short[frame.SamplesPerChannel];
                    for (int i = 0; i < left.Length; i++)
                    {
                        left[i] = frame.Samples[i * channels];
                        if (channels == 2)
                        {
                            frame.Samples[(i * channels) + 1].Should().Be(left[i], "a mono source is copied to both channels");
                        }
                    }

                    if (left.Max(s => Math.Abs((int)s)) > 4_000)
                    {
                        segment.AddRange(left);
                        loudSamples += left.Length;
                    }
                    else if (segment.Count > 0)
                    {
                        segments.Add([.. segment]); // silence inserted by a late source ends a gap-free segment
                        segment.Clear();
                    }
                }

                if (loudSamples >= rate / 4)
                {
                    break;
                }
            }

            segments.Add([.. segment]);
            await stopCapture.CancelAsync();
            await capture.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        TestPatterns.MeasureFrequency(segments, rate).Should().BeApproximately(440, 3);
        segments.SelectMany(s => s).Max(s => Math.Abs((int)s)).Should().BeInRange(7_000, 9_000);
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }
}
