using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// Puts a HeyGen avatar after TTS in a pipeline: it consumes the TTS audio, makes the avatar speak it, and emits the
/// avatar's video (<see cref="OutputImageRawFrame"/>) and lip-synced audio (<see cref="SpeechOutputAudioRawFrame"/>)
/// downstream.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="StartFrame"/> opens the session (REST), the realtime websocket and the avatar's room. A failure is
/// a fatal <see cref="ErrorFrame"/> upstream, and whatever was opened is closed.</item>
/// <item><see cref="TTSAudioRawFrame"/>s are resampled to 24 kHz and sent as <c>agent.speak</c> (first chunk after
/// <see cref="HeyGenVideoServiceOptions.FirstChunk"/>, then <see cref="HeyGenVideoServiceOptions.Chunk"/>); they are
/// consumed. <see cref="TTSStoppedFrame"/> flushes and sends <c>agent.speak_end</c> at once.</item>
/// <item><see cref="InterruptionFrame"/> (and <see cref="UserStartedSpeakingFrame"/> when interruptions are allowed)
/// sends <c>agent.interrupt</c> for the utterance being spoken, drops its buffered audio, and starts the listening
/// pose; <see cref="UserStoppedSpeakingFrame"/> stops it.</item>
/// <item>The avatar's own speak started/ended events become <see cref="BotStartedSpeakingFrame"/>/
/// <see cref="BotStoppedSpeakingFrame"/>, pushed both ways.</item>
/// <item>Media is pushed once an <see cref="OutputTransportReadyFrame"/> has been seen (earlier frames are
/// dropped and counted), each stream in timestamp order.</item>
/// <item><see cref="EndFrame"/> lets the avatar finish speaking (up to
/// <see cref="HeyGenVideoServiceOptions.EndDrainTimeout"/>), then closes everything; <see cref="CancelFrame"/> and
/// disposal close at once. The session is stopped exactly once, whatever failed before.</item>
/// </list>
/// </remarks>
public sealed partial class HeyGenVideoService : FrameProcessor
{
    private readonly HeyGenVideoServiceOptions _options;
    private readonly BaseAvatarApi _api;
    private readonly bool _ownsApi;
    private readonly ILoggerFactory? _loggerFactory;

    /// <summary>Creates the service.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="loggerFactory">Logging for the API client created from <see cref="HeyGenVideoServiceOptions.ApiKey"/> and the realtime client; the processor itself logs through the pipeline's factory.</param>
    /// <param name="name">Name for logs.</param>
    public HeyGenVideoService(HeyGenVideoServiceOptions options, ILoggerFactory? loggerFactory = null, string? name = null)
        : base(name ?? "HeyGenVideoService")
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _loggerFactory = loggerFactory;
        if (options.Api is { } api)
        {
            _api = api;
        }
        else
        {
            _api = new HeyGenApi(new HeyGenApiOptions { ApiKey = options.ApiKey! }, loggerFactory);
            _ownsApi = true;
        }

        _chunker = new AgentSpeakChunker(options.FirstChunk, options.Chunk);
        _transportReady = !options.WaitForOutputTransportReady;
    }

    /// <summary>The open session's id, once started.</summary>
    public string? SessionId => _session?.SessionId;

    /// <summary>Video frames dropped because no <see cref="OutputTransportReadyFrame"/> had been seen yet.</summary>
    public long VideoFramesDroppedBeforeReady => Interlocked.Read(ref _videoDroppedBeforeReady);

    /// <summary>Avatar video frames pushed downstream.</summary>
    public long VideoFramesPushed => Interlocked.Read(ref _videoPushed);

    /// <summary>Avatar audio frames pushed downstream.</summary>
    public long AudioFramesPushed => Interlocked.Read(ref _audioPushed);

    /// <summary>Bytes of 24 kHz speech handed to the avatar so far.</summary>
    public long SpeechBytesSent => Interlocked.Read(ref _speechBytesSent);

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame start:
                await StartSessionAsync(start, cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case TTSAudioRawFrame audio when direction == FrameDirection.Downstream:
                await OnTtsAudioAsync(audio, cancellationToken).ConfigureAwait(false);
                break;
            case TTSStartedFrame started:
                await BeginUtteranceAsync(started.ContextId, openedByTts: true, cancellationToken).ConfigureAwait(false);
                StartTtfbMetrics();
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case TTSStoppedFrame stopped:
                await EndUtteranceAsync(stopped.ContextId, cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case UtteranceTimeoutFrame timeout:
                if (IsCurrentTimeout(timeout))
                {
                    await EndUtteranceAsync(timeout.UtteranceId, cancellationToken).ConfigureAwait(false);
                }

                break;
            case InterruptionFrame:
                await InterruptAsync(cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case UserStartedSpeakingFrame:
                if (InterruptionsAllowed)
                {
                    await InterruptAsync(cancellationToken).ConfigureAwait(false);
                }

                await SendListeningAsync(listening: true, cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case UserStoppedSpeakingFrame:
                await SendListeningAsync(listening: false, cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case OutputTransportReadyFrame:
                _transportReady = true;
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case EndFrame:
                await DrainSpeechAsync(cancellationToken).ConfigureAwait(false);
                await CloseSessionAsync("end of pipeline").ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            case CancelFrame:
                await CloseSessionAsync("pipeline cancelled").ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync()
    {
        await CloseSessionAsync("service disposed").ConfigureAwait(false);
        DisposeSpeechState();
        if (_ownsApi)
        {
            _api.Dispose();
        }
    }
}
