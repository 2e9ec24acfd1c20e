using Pipeline.Silero;
using Pipeline.Speech.Tests.Support;
using Xunit.Abstractions;

namespace Pipeline.Speech.Tests;

public sealed class VoiceActivityDetectorTests(SileroModelFixture silero, ITestOutputHelper output) : IClassFixture<SileroModelFixture>
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(20);

    [Theory]
    [InlineData(16_000)]
    [InlineData(8_000)]
    [InlineData(48_000)]
    public async Task Speech_start_and_stop_are_found_within_100_ms_of_the_true_boundaries(int rate)
    {
        SpeechTrack track = (await TestTracks.TwoSentences).At(rate);

        List<VoiceActivityEvent> events = Detect(track, VadOptions.Default);

        ShouldMatchBoundaries(events, track);
    }

    [Theory]
    [InlineData(16_000)]
    [InlineData(8_000)]
    [InlineData(48_000)]
    public async Task Speech_in_noise_is_found_within_100_ms_of_the_true_boundaries(int rate)
    {
        // -40 dBFS white noise under speech at about -20 dBFS: a fan or a busy room, 20 dB SNR.
        SpeechTrack track = (await TestTracks.TwoSentences).WithNoise(-40).At(rate);

        List<VoiceActivityEvent> events = Detect(track, VadOptions.Default);

        ShouldMatchBoundaries(events, track);
    }

    [Fact]
    public void Ten_seconds_of_silence_never_start_speech_even_without_the_volume_gate()
    {
        SpeechTrack silence = SpeechTrack.Silence(TimeSpan.FromSeconds(10));

        List<VoiceActivityEvent> events = Detect(silence, new VadOptions { MinVolumeDbfs = double.NegativeInfinity });

        events.Should().BeEmpty();
    }

    [Theory]
    [InlineData(-50)]
    [InlineData(-40)]
    public void Ten_seconds_of_low_noise_never_start_speech_even_without_the_volume_gate(double noiseDbfs)
    {
        SpeechTrack noise = SpeechTrack.Silence(TimeSpan.FromSeconds(10)).WithNoise(noiseDbfs);

        List<VoiceActivityEvent> events = Detect(noise, new VadOptions { MinVolumeDbfs = double.NegativeInfinity });

        events.Should().BeEmpty("Silero must not take {0} dBFS white noise for speech", noiseDbfs);
    }

    [Fact]
    public async Task The_volume_gate_ignores_speech_quieter_than_the_minimum()
    {
        SpeechTrack track = await TestTracks.TwoSentences;

        List<VoiceActivityEvent> events = Detect(track, new VadOptions { MinVolumeDbfs = -6 });

        events.Should().BeEmpty("espeak-ng speech never reaches -6 dBFS RMS in a 32 ms window");
    }

    [Fact]
    public async Task A_stop_is_reported_one_stop_duration_after_speech_ended_and_a_start_at_least_one_start_duration_after_it_began()
    {
        SpeechTrack track = await TestTracks.TwoSentences;
        var options = new VadOptions { StartDuration = TimeSpan.FromMilliseconds(256), StopDuration = TimeSpan.FromMilliseconds(640) };

        List<VoiceActivityEvent> events = Detect(track, options);

        events.Should().HaveCount(4);
        foreach (VoiceActivityEvent e in events.Where(e => e.Kind == VoiceActivityKind.Stopped))
        {
            (e.DetectedAt - e.Position).Should().Be(options.StopDuration);
        }

        foreach (VoiceActivityEvent e in events.Where(e => e.Kind == VoiceActivityKind.Started))
        {
            (e.DetectedAt - e.Position).Should().BeGreaterThanOrEqualTo(options.StartDuration);
        }
    }

    [Fact]
    public void The_analyzer_takes_exactly_one_32_ms_window()
    {
        using SileroVadAnalyzer at16k = silero.Model.CreateAnalyzer(16_000);
        using SileroVadAnalyzer at8k = silero.Model.CreateAnalyzer(8_000);

        at16k.WindowSamples.Should().Be(512);
        at8k.WindowSamples.Should().Be(256);
        at16k.WindowDuration.Should().Be(TimeSpan.FromMilliseconds(32));
        at8k.WindowDuration.Should().Be(TimeSpan.FromMilliseconds(32));
        float p = at16k.Analyze(new float[512]);
        p.Should().BeInRange(0f, 1f);
        FluentActions.Invoking(() => at16k.Analyze(new float[256])).Should().Throw<ArgumentException>().WithMessage("*exactly 512 samples*");
        FluentActions.Invoking(() => silero.Model.CreateAnalyzer(44_100)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*16000 or 8000 Hz*");
    }

    private List<VoiceActivityEvent> Detect(SpeechTrack track, VadOptions options)
    {
        using var detector = new VoiceActivityDetector(silero.Model, track.SampleRate, options);
        var events = new List<VoiceActivityEvent>();
        foreach (ReadOnlyMemory<byte> chunk in track.Chunks(Chunk))
        {
            detector.Process(chunk.Span, events);
        }

        return events;
    }

    private void ShouldMatchBoundaries(List<VoiceActivityEvent> events, SpeechTrack track)
    {
        string found = string.Join(", ", events.Select(e => $"{e.Kind}@{e.Position.TotalMilliseconds:0}ms"));
        string truth = string.Join(", ", track.Speech.Select(s => $"{s.Start.TotalMilliseconds:0}-{s.End.TotalMilliseconds:0}ms"));
        output.WriteLine($"{track.SampleRate} Hz: truth {truth}; found {found}");
        events.Should().HaveCount(2 * track.Speech.Count, "one start and one stop per sentence (found {0}; truth {1})", found, truth);
        for (int i = 0; i < track.Speech.Count; i++)
        {
            VoiceActivityEvent start = events[2 * i];
            VoiceActivityEvent stop = events[(2 * i) + 1];
            start.Kind.Should().Be(VoiceActivityKind.Started);
            stop.Kind.Should().Be(VoiceActivityKind.Stopped);
            start.Position.Should().BeCloseTo(track.Speech[i].Start, Tolerance, "sentence {0} starts at {1} (found {2})", i, truth, found);
            stop.Position.Should().BeCloseTo(track.Speech[i].End, Tolerance, "sentence {0} ends at {1} (found {2})", i, truth, found);
        }
    }
}
