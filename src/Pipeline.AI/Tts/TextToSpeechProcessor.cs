using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Pipeline.AI.Audio;
using Pipeline.AI.Llm;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Metrics;
using Pipeline.Core.Processors;

namespace Pipeline.AI.Tts;

/// <summary>
/// Speaks text with any <see cref="ITextToSpeechClient"/>: each <see cref="TextFrame"/> (not transcriptions, not
/// <see cref="TTSTextFrame"/>s) is synthesised with <see cref="ITextToSpeechClient.GetStreamingAudioAsync"/> and pushed
/// on as <see cref="TTSAudioRawFrame"/>s as the audio arrives, followed by a <see cref="TTSTextFrame"/> with the text.
/// </summary>
/// <remarks>
/// <para>
/// Utterances: one context id per LLM reply. The first sentence of a reply opens it with a
/// <see cref="TTSStartedFrame"/>; its <see cref="LLMFullResponseEndFrame"/> closes it with a
/// <see cref="TTSStoppedFrame"/>. Text outside a reply is an utterance of its own. Put a
/// <see cref="SentenceAggregator"/> in front: every frame that reaches this processor is one request.
/// </para>
/// <para>
/// Audio: WAV or raw 16-bit PCM (see <see cref="TextToSpeechProcessorOptions.SpeechOptions"/>), mixed to mono and
/// resampled to <see cref="TextToSpeechProcessorOptions.SampleRate"/> (or the pipeline's output rate) with Core's
/// <see cref="StreamingResampler"/>, in frames of <see cref="TextToSpeechProcessorOptions.FrameDuration"/>. Other media
/// types are refused with an <see cref="ErrorFrame"/> naming the type.
/// </para>
/// <para>
/// An <see cref="InterruptionFrame"/> stops the request in flight at once and forgets the open utterance. A failing
/// request, or one that delivers nothing for <see cref="TextToSpeechProcessorOptions.SynthesisTimeout"/>, becomes an
/// <see cref="ErrorFrame"/> naming the provider and the call. Time to first audio is reported as a TTFB metric.
/// </para>
/// </remarks>
public sealed class TextToSpeechProcessor : FrameProcessor
{
    private const string CallName = "GetStreamingAudioAsync";

    private readonly ITextToSpeechClient _client;
    private readonly TextToSpeechProcessorOptions _options;
    private readonly Lock _utteranceLock = new();
    private string? _contextId;
    private bool _inReply;
    private int _outputRate;
    private StreamingResampler? _resampler; // kept across requests: building the filter costs more than a sentence's audio

    /// <summary>Creates a text-to-speech processor.</summary>
    /// <param name="client">The speech client (not disposed by the processor).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="name">Name for logs.</param>
    public TextToSpeechProcessor(ITextToSpeechClient client, TextToSpeechProcessorOptions? options = null, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new TextToSpeechProcessorOptions();
        _options.Validate();
        _client = client;
        ProviderName = ProviderCall.NameOf(client);
    }

    /// <summary>The provider's name as it appears in errors (from the client's metadata, or its type name).</summary>
    public string ProviderName { get; }

    /// <summary>Sample rate of the pushed audio in Hz, once started.</summary>
    public int OutputSampleRate => _outputRate;

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (direction == FrameDirection.Upstream)
        {
            await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (frame)
        {
            case StartFrame start:
                _outputRate = _options.SampleRate ?? start.AudioOutSampleRate;
                break;
            case LLMFullResponseStartFrame:
                await CloseUtteranceAsync(cancellationToken).ConfigureAwait(false);
                lock (_utteranceLock)
                {
                    _inReply = true;
                }

                break;
            case LLMFullResponseEndFrame or EndFrame:
                await CloseUtteranceAsync(cancellationToken).ConfigureAwait(false);
                break;
            case InterruptionFrame:
                lock (_utteranceLock)
                {
                    // The downstream side drops the interrupted utterance itself; a new one starts with a new id.
                    _contextId = null;
                    _inReply = false;
                }

                break;
            case TextFrame text when IsSpeakable(text):
                await SpeakAsync(text.Text, cancellationToken).ConfigureAwait(false);
                return;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsSpeakable(TextFrame frame) =>
        frame is not (TranscriptionFrame or InterimTranscriptionFrame or TTSTextFrame) && !string.IsNullOrWhiteSpace(frame.Text);

    private async ValueTask SpeakAsync(string text, CancellationToken cancellationToken)
    {
        string contextId = await OpenUtteranceAsync(cancellationToken).ConfigureAwait(false);
        Logger.LogDebug("{Processor}: synthesising {Characters} characters for {ContextId}", Name, text.Length, contextId);
        if (await SynthesizeAsync(text, contextId, cancellationToken).ConfigureAwait(false))
        {
            await PushFrameAsync(new TTSTextFrame(text) { ContextId = contextId }, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
            if (StartSettings?.EnableUsageMetrics == true)
            {
                await PushFrameAsync(new MetricsFrame([new UsageMetricsData(Name, "tts_characters", text.Length)]), FrameDirection.Downstream, cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        bool standalone;
        lock (_utteranceLock)
        {
            standalone = !_inReply;
        }

        if (standalone)
        {
            await CloseUtteranceAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Returns true when the whole text was synthesised; failures are reported as ErrorFrames, interruptions thrown.
    private async ValueTask<bool> SynthesizeAsync(string text, string contextId, CancellationToken cancellationToken)
    {
        using var call = new ProviderCall("TTS", ProviderName, CallName, _options.SynthesisTimeout, TimeProvider, cancellationToken, MeterFactory);
        var decoder = new AudioContentDecoder(_options.RawPcmSampleRate);
        var chunker = new PcmChunker(PcmFormat.BytesFor(_options.FrameDuration, _outputRate));
        StreamingResampler? resampler = null;
        _resampler?.Reset(); // an interrupted request may have left samples in the filter
        StartTtfbMetrics();
        try
        {
            IAsyncEnumerator<TextToSpeechResponseUpdate> updates = _client
                .GetStreamingAudioAsync(text, _options.SpeechOptions?.Clone(), call.Token)
                .GetAsyncEnumerator(call.Token);
            try
            {
                while (await StreamGuard.MoveNextOrCancelAsync(updates, call.Token).ConfigureAwait(false))
                {
                    call.Progress();
                    foreach (AIContent content in updates.Current.Contents)
                    {
                        if (content is ErrorContent error)
                        {
                            throw new InvalidOperationException($"the provider reported an error: {error.Message}");
                        }

                        if (content is not DataContent data)
                        {
                            continue;
                        }

                        byte[] pcm = decoder.Decode(data.Data.Span, data.MediaType);
                        if (pcm.Length == 0)
                        {
                            continue;
                        }

                        resampler ??= ResamplerFrom(decoder.SampleRate);
                        await PushAudioAsync(chunker.Add(resampler.Resample(pcm)), contextId, cancellationToken).ConfigureAwait(false);
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

            if (resampler is not null)
            {
                byte[] tail = new byte[resampler.MaxFlushBytes];
                int n = resampler.Flush(tail);
                await PushAudioAsync(chunker.Add(tail.AsSpan(0, n)), contextId, cancellationToken).ConfigureAwait(false);
            }

            byte[] last = chunker.Flush();
            if (last.Length > 0)
            {
                await PushAudioAsync([last], contextId, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Logger.LogDebug("{Processor}: {Call} for {ContextId} stopped by an interruption", Name, CallName, contextId);
            throw;
        }
        catch (OperationCanceledException) when (call.TimedOut)
        {
            await PushErrorAsync(call.TimeoutMessage()).ConfigureAwait(false);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ReportFailureAsync(call, ex).ConfigureAwait(false);
            return false;
        }
    }

    private StreamingResampler ResamplerFrom(int inputRate)
    {
        if (_resampler is null || _resampler.InputRate != inputRate || _resampler.OutputRate != _outputRate)
        {
            _resampler?.Dispose();
            _resampler = new StreamingResampler(inputRate, _outputRate);
        }

        return _resampler;
    }

    /// <inheritdoc />
    protected override ValueTask CleanupAsync()
    {
        _resampler?.Dispose();
        return default;
    }

    private async ValueTask PushAudioAsync(List<byte[]> chunks, string contextId, CancellationToken cancellationToken)
    {
        foreach (byte[] chunk in chunks)
        {
            await StopTtfbMetricsAsync().ConfigureAwait(false);
            await PushFrameAsync(new TTSAudioRawFrame(chunk, _outputRate, 1) { ContextId = contextId }, FrameDirection.Downstream, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async ValueTask<string> OpenUtteranceAsync(CancellationToken cancellationToken)
    {
        string? opened = null;
        lock (_utteranceLock)
        {
            if (_contextId is not null)
            {
                return _contextId;
            }

            _contextId = opened = Guid.NewGuid().ToString("N");
        }

        await PushFrameAsync(new TTSStartedFrame { ContextId = opened }, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
        return opened;
    }

    private async ValueTask CloseUtteranceAsync(CancellationToken cancellationToken)
    {
        string? closed;
        lock (_utteranceLock)
        {
            closed = _contextId;
            _contextId = null;
            _inReply = false;
        }

        if (closed is not null)
        {
            await PushFrameAsync(new TTSStoppedFrame { ContextId = closed }, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
        }
    }

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
