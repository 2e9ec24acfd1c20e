using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.AI.Stt;

/// <summary>
/// Transcribes the user's speech with any <see cref="ISpeechToTextClient"/>: the <see cref="InputAudioRawFrame"/>s
/// between a <see cref="UserStartedSpeakingFrame"/> and a <see cref="UserStoppedSpeakingFrame"/> (from voice activity
/// detection), plus <see cref="SpeechToTextProcessorOptions.PreRoll"/> before the start, are sent as one 16-bit mono
/// WAV at <see cref="SpeechToTextProcessorOptions.SampleRate"/>, and the text comes back as a final
/// <see cref="TranscriptionFrame"/> (and, when <see cref="SpeechToTextProcessorOptions.Streaming"/>, as
/// <see cref="InterimTranscriptionFrame"/>s first).
/// </summary>
/// <remarks>
/// <para>
/// Timestamps: <see cref="TranscriptionFrame.Timestamp"/> is when the text was recognised (pipeline clock);
/// <see cref="Frame.PresentationTimestamp"/> is where the recognised speech starts in the user's audio stream (the
/// utterance's start including pre-roll, plus the provider's <see cref="SpeechToTextResponse.StartTime"/>).
/// </para>
/// <para>
/// Utterances are transcribed one after another in a background task, so the audio path never waits for the provider
/// and an interruption of the bot (the user speaking again) never cancels the transcription of what the user said.
/// An <see cref="EndFrame"/> waits for the pending ones. A failing request, or one without progress for
/// <see cref="SpeechToTextProcessorOptions.TranscriptionTimeout"/>, becomes an <see cref="ErrorFrame"/> naming the
/// provider and the call. All frames pass on.
/// </para>
/// </remarks>
public sealed class SpeechToTextProcessor : FrameProcessor
{
    private readonly ISpeechToTextClient _client;
    private readonly SpeechToTextProcessorOptions _options;
    private readonly UtteranceRecorder _recorder;
    private readonly Channel<Utterance> _utterances = Channel.CreateUnbounded<Utterance>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _transcriber;

    /// <summary>Creates a speech-to-text processor.</summary>
    /// <param name="client">The speech client (not disposed by the processor).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="name">Name for logs.</param>
    public SpeechToTextProcessor(ISpeechToTextClient client, SpeechToTextProcessorOptions? options = null, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new SpeechToTextProcessorOptions();
        _options.Validate();
        _client = client;
        ProviderName = ProviderCall.NameOf(client);
        _recorder = new UtteranceRecorder(_options.SampleRate, _options.PreRoll, _options.MaxUtterance);
    }

    /// <summary>The provider's name as it appears in errors (from the client's metadata, or its type name).</summary>
    public string ProviderName { get; }

    private string CallName => _options.Streaming ? "GetStreamingTextAsync" : "GetTextAsync";

    /// <inheritdoc />
    public override async ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
    {
        if (UserSpeechBoundaryFrame.Before(frame, direction) is { } boundary)
        {
            await base.QueueFrameAsync(boundary, direction, cancellationToken).ConfigureAwait(false);
        }

        await base.QueueFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame:
                _transcriber ??= StartBackgroundTask("transcribe", TranscribeAllAsync);
                break;
            case InputAudioRawFrame audio when direction == FrameDirection.Downstream:
                _recorder.Add(audio.Audio.Span, audio.SampleRate, audio.Channels);
                break;
            case UserSpeechBoundaryFrame boundary:
                OnBoundary(boundary.Started);
                return;
            case EndFrame:
                _utterances.Writer.TryComplete();
                if (_transcriber is not null)
                {
                    await _transcriber.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override ValueTask CleanupAsync()
    {
        _utterances.Writer.TryComplete();
        _recorder.Dispose();
        return default;
    }

    private void OnBoundary(bool started)
    {
        if (started)
        {
            _recorder.Start();
            return;
        }

        if (_recorder.Overflow > 0)
        {
            Logger.LogWarning("{Processor}: the utterance was longer than {Max} s; its end was not transcribed", Name, _options.MaxUtterance.TotalSeconds);
        }

        if (_recorder.Stop() is { } utterance && utterance.Pcm.Length > 0)
        {
            _utterances.Writer.TryWrite(new Utterance(utterance.Pcm, utterance.StreamOffset));
        }
    }

    private async Task TranscribeAllAsync(CancellationToken cancellationToken)
    {
        await foreach (Utterance utterance in _utterances.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await TranscribeAsync(utterance, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TranscribeAsync(Utterance utterance, CancellationToken cancellationToken)
    {
        SpeechToTextOptions options = _options.SpeechOptions?.Clone() ?? new SpeechToTextOptions();
        options.SpeechSampleRate = _options.SampleRate;
        options.SpeechLanguage = _options.Language ?? options.SpeechLanguage;
        using var call = new ProviderCall("STT", ProviderName, CallName, _options.TranscriptionTimeout, TimeProvider, cancellationToken, MeterFactory);
        using var wav = new MemoryStream(WavFile.Write(utterance.Pcm, _options.SampleRate), writable: false);
        StartTtfbMetrics();
        try
        {
            if (_options.Streaming)
            {
                await TranscribeStreamingAsync(wav, options, utterance, call).ConfigureAwait(false);
            }
            else
            {
                SpeechToTextResponse response = await _client.GetTextAsync(wav, options, call.Token).WaitAsync(call.Token).ConfigureAwait(false);
                await StopTtfbMetricsAsync().ConfigureAwait(false);
                await PushFinalAsync(response.Text, response.StartTime, utterance, options.SpeechLanguage).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (call.TimedOut)
        {
            await PushErrorAsync(call.TimeoutMessage()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ReportFailureAsync(call, ex).ConfigureAwait(false);
        }
    }

    private async Task TranscribeStreamingAsync(Stream wav, SpeechToTextOptions options, Utterance utterance, ProviderCall call)
    {
        IAsyncEnumerator<SpeechToTextResponseUpdate> updates = _client.GetStreamingTextAsync(wav, options, call.Token).GetAsyncEnumerator(call.Token);
        try
        {
            while (await StreamGuard.MoveNextOrCancelAsync(updates, call.Token).ConfigureAwait(false))
            {
                call.Progress();
                SpeechToTextResponseUpdate update = updates.Current;
                if (update.Contents.OfType<ErrorContent>().FirstOrDefault() is { } error)
                {
                    throw new InvalidOperationException($"the provider reported an error: {error.Message}");
                }

                if (string.IsNullOrWhiteSpace(update.Text))
                {
                    continue;
                }

                await StopTtfbMetricsAsync().ConfigureAwait(false);
                if (update.Kind == SpeechToTextResponseUpdateKind.TextUpdating)
                {
                    var interim = new InterimTranscriptionFrame(update.Text.Trim(), _options.UserId, TimeProvider.GetUtcNow())
                    {
                        Language = options.SpeechLanguage,
                        PresentationTimestamp = utterance.StreamOffset + (update.StartTime ?? TimeSpan.Zero),
                    };
                    await PushFrameAsync(interim).ConfigureAwait(false);
                }
                else if (update.Kind == SpeechToTextResponseUpdateKind.TextUpdated)
                {
                    await PushFinalAsync(update.Text, update.StartTime, utterance, options.SpeechLanguage).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (!call.Token.IsCancellationRequested)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask PushFinalAsync(string text, TimeSpan? startTime, Utterance utterance, string? language)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            Logger.LogDebug("{Processor}: nothing recognised in {Duration} ms of speech", Name, utterance.Pcm.Length * 500.0 / _options.SampleRate);
            return;
        }

        Logger.LogDebug("{Processor}: recognised: {Text}", Name, text);
        var final = new TranscriptionFrame(text.Trim(), _options.UserId, TimeProvider.GetUtcNow())
        {
            Language = language,
            PresentationTimestamp = utterance.StreamOffset + (startTime ?? TimeSpan.Zero),
        };
        await PushFrameAsync(final).ConfigureAwait(false);
    }

    private sealed record Utterance(byte[] Pcm, TimeSpan StreamOffset);

    // The provider's exception is logged at debug level only: its text may quote request content. The ErrorFrame
    // carries it for the application, with a redacted, capped message.
    private ValueTask ReportFailureAsync(ProviderCall call, Exception exception)
    {
        call.Failed(exception);
        string message = call.FailureMessage(exception);
        Logger.LogDebug(exception, "{Processor}: {Call} failed", Name, call.Call);
        Logger.LogWarning("{Processor}: {Message}", Name, message);
        return PushFrameAsync(new ErrorFrame(message, exception) { ProcessorName = Name }, FrameDirection.Upstream);
    }
}
