using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Silero;

/// <summary>
/// Voice activity detection in a pipeline: watches <see cref="InputAudioRawFrame"/>s with Silero VAD and pushes
/// <see cref="UserStartedSpeakingFrame"/> / <see cref="UserStoppedSpeakingFrame"/> downstream, ahead of the audio
/// frame that completed the change. All frames pass on unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Turn-taking: the processor follows <see cref="BotStartedSpeakingFrame"/>/<see cref="BotStoppedSpeakingFrame"/>
/// (from either direction). When the user starts speaking while the bot speaks and the pipeline allows
/// interruptions (<see cref="StartFrame.AllowInterruptions"/>), it pushes an <see cref="InterruptionFrame"/>
/// downstream before the <see cref="UserStartedSpeakingFrame"/>: every processor after it (LLM, TTS, avatar, output)
/// drops the bot's queued speech. Place it right after the input transport, so that nothing upstream of it holds
/// bot output to interrupt.
/// </para>
/// <para>
/// Input: mono or multi-channel (mixed down) 16-bit PCM at any rate; 16 and 8 kHz run as is, other rates are
/// resampled to 16 kHz. A change of rate mid-stream starts a new stream.
/// </para>
/// <para>
/// The speaking frames carry, in <see cref="Frame.Metadata"/>, where in the input stream speech began or ended
/// (<see cref="PositionMetadataKey"/>, a <see cref="TimeSpan"/> since the first input sample).
/// </para>
/// </remarks>
public sealed class SileroVadProcessor : FrameProcessor
{
    /// <summary>Metadata key of the speaking frames: the <see cref="TimeSpan"/> in the input stream where speech began or ended.</summary>
    public const string PositionMetadataKey = "vad.position";

    private readonly SileroVadModel _model;
    private readonly bool _ownsModel;
    private readonly VadOptions _options;
    private readonly List<VoiceActivityEvent> _events = [];
    private VoiceActivityDetector? _detector;
    private TimeSpan _streamOffset;
    private short[] _mono = [];
    private volatile bool _botSpeaking;

    /// <summary>Creates the processor over a loaded model (shared, not owned: dispose it after the pipeline).</summary>
    /// <param name="model">The Silero model.</param>
    /// <param name="options">Thresholds and durations; <see cref="VadOptions.Default"/> when null.</param>
    /// <param name="name">Name for logs.</param>
    public SileroVadProcessor(SileroVadModel model, VadOptions? options = null, string? name = null)
        : this(model, ownsModel: false, options, name)
    {
    }

    /// <summary>Creates the processor and loads the model from <see cref="SileroModelLocator"/> (owned: released with the processor).</summary>
    /// <param name="options">Thresholds and durations; <see cref="VadOptions.Default"/> when null.</param>
    /// <param name="name">Name for logs.</param>
    /// <exception cref="SileroModelNotFoundException">The model is not installed; the message says what to run.</exception>
    public SileroVadProcessor(VadOptions? options = null, string? name = null)
        : this(SileroVadModel.Load(), ownsModel: true, options, name)
    {
    }

    private SileroVadProcessor(SileroVadModel model, bool ownsModel, VadOptions? options, string? name)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? VadOptions.Default;
        try
        {
            _options.Validate();
        }
        catch when (ownsModel)
        {
            model.Dispose(); // loaded for this processor, which will never run
            throw;
        }

        _model = model;
        _ownsModel = ownsModel;
    }

    /// <summary>Whether the user is speaking, as of the last analyzed window.</summary>
    public bool UserSpeaking => _detector?.IsSpeaking ?? false;

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case InputAudioRawFrame audio when direction == FrameDirection.Downstream:
                await AnalyzeAsync(audio, cancellationToken).ConfigureAwait(false);
                break;
            case BotStartedSpeakingFrame:
                _botSpeaking = true;
                break;
            case BotStoppedSpeakingFrame:
                _botSpeaking = false;
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override ValueTask CleanupAsync()
    {
        _detector?.Dispose();
        _detector = null;
        if (_ownsModel)
        {
            _model.Dispose();
        }

        return default;
    }

    private async ValueTask AnalyzeAsync(InputAudioRawFrame audio, CancellationToken cancellationToken)
    {
        if (_detector is null || _detector.InputSampleRate != audio.SampleRate)
        {
            if (_detector is not null)
            {
                Logger.LogInformation("{Processor}: input rate changed from {Old} to {New} Hz; VAD restarts", Name, _detector.InputSampleRate, audio.SampleRate);
                _streamOffset += _detector.AnalyzedDuration;
                _detector.Dispose();
            }

            _detector = new VoiceActivityDetector(_model, audio.SampleRate, _options);
        }

        _events.Clear();
        _detector.Process(MonoOf(audio), _events);
        foreach (VoiceActivityEvent change in _events)
        {
            if (change.Kind == VoiceActivityKind.Started)
            {
                if (_botSpeaking && InterruptionsAllowed)
                {
                    Logger.LogDebug("{Processor}: user started speaking while the bot speaks: interrupting", Name);
                    await PushFrameAsync(new InterruptionFrame(), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
                }

                var started = new UserStartedSpeakingFrame();
                started.Metadata[PositionMetadataKey] = _streamOffset + change.Position;
                await PushFrameAsync(started, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var stopped = new UserStoppedSpeakingFrame();
                stopped.Metadata[PositionMetadataKey] = _streamOffset + change.Position;
                await PushFrameAsync(stopped, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Multi-channel input is averaged to mono into a buffer this processor owns (only the data task touches it).
    private ReadOnlySpan<byte> MonoOf(InputAudioRawFrame audio)
    {
        if (audio.Channels == 1)
        {
            return audio.Audio.Span;
        }

        ReadOnlySpan<short> interleaved = MemoryMarshal.Cast<byte, short>(audio.Audio.Span);
        int frames = audio.SampleCount;
        if (_mono.Length < frames)
        {
            _mono = new short[frames];
        }

        for (int f = 0; f < frames; f++)
        {
            int sum = 0;
            for (int c = 0; c < audio.Channels; c++)
            {
                sum += interleaved[(f * audio.Channels) + c];
            }

            _mono[f] = (short)(sum / audio.Channels);
        }

        return MemoryMarshal.AsBytes(_mono.AsSpan(0, frames));
    }
}
