using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.HeyGen.Video;

// The avatar's media and state, from the room and the realtime websocket into the pipeline.
public sealed partial class HeyGenVideoService
{
    private volatile bool _transportReady;
    private volatile bool _botSpeaking;
    private int _ttfbArmed;
    private long _videoDroppedBeforeReady;
    private long _videoPushed;
    private long _audioPushed;

    private async Task PumpVideoAsync(IAvatarMediaSession media, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _sessionCts!.Token);
        try
        {
            await foreach (RemoteVideoBuffer frame in media.ReadVideoAsync(linked.Token).ConfigureAwait(false))
            {
                using (frame)
                {
                    if (!_transportReady)
                    {
                        Interlocked.Increment(ref _videoDroppedBeforeReady);
                        continue;
                    }

                    // The one copy: out of the room's (pooled or native) buffer into memory the frame owns. The array
                    // is not zeroed first: every byte is overwritten.
                    byte[] pixels = GC.AllocateUninitializedArray<byte>(frame.Data.Length);
                    frame.Data.Span.CopyTo(pixels);
                    var image = new OutputImageRawFrame(pixels, frame.Width, frame.Height, frame.Format)
                    {
                        PresentationTimestamp = frame.Timestamp,
                    };
                    await ReportFirstMediaAsync().ConfigureAwait(false);
                    await PushFrameAsync(image, FrameDirection.Downstream, linked.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _videoPushed);
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The session is closing or the processor stopped.
        }
    }

    private async Task PumpAudioAsync(IAvatarMediaSession media, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _sessionCts!.Token);
        try
        {
            await foreach (RemoteAudioBuffer block in media.ReadAudioAsync(linked.Token).ConfigureAwait(false))
            {
                using (block)
                {
                    if (!_transportReady)
                    {
                        continue;
                    }

                    var audio = new SpeechOutputAudioRawFrame(block.Pcm.ToArray(), block.SampleRate, block.Channels)
                    {
                        PresentationTimestamp = block.Timestamp,
                    };
                    await PushFrameAsync(audio, FrameDirection.Downstream, linked.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _audioPushed);
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The session is closing or the processor stopped.
        }
    }

    private async Task ReadServerEventsAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _sessionCts!.Token);
        try
        {
            await foreach (RealtimeServerEvent serverEvent in _realtime!.ReadEventsAsync(linked.Token).ConfigureAwait(false))
            {
                await OnServerEventAsync(serverEvent).ConfigureAwait(false);
            }
        }
        catch (HeyGenRealtimeException ex) when (!_closing)
        {
            await PushErrorAsync($"The avatar's realtime connection failed: {ex.Message}", ex, fatal: true).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The session is closing or the processor stopped.
        }
    }

    private async ValueTask OnServerEventAsync(RealtimeServerEvent serverEvent)
    {
        switch (serverEvent)
        {
            case AgentSpeakStartedEvent:
                Interlocked.Exchange(ref _ttfbArmed, 1);
                await SetBotSpeakingAsync(true).ConfigureAwait(false);
                break;
            case AgentSpeakEndedEvent or AgentSpeakInterruptedEvent:
                OnUtteranceFinished(serverEvent.EventId, avatarIdle: false);
                await SetBotSpeakingAsync(false).ConfigureAwait(false);
                break;
            case AgentStateUpdatedEvent state when state.NewState == AvatarAgentState.Talking:
                Interlocked.Exchange(ref _ttfbArmed, 1);
                await SetBotSpeakingAsync(true).ConfigureAwait(false);
                break;
            case AgentStateUpdatedEvent:
                OnUtteranceFinished(null, avatarIdle: true);
                await SetBotSpeakingAsync(false).ConfigureAwait(false);
                break;
            case RealtimeErrorEvent error:
                await PushErrorAsync($"HeyGen reported an error: {error.ErrorType ?? "error"}: {error.Message ?? error.Code ?? "no details"}").ConfigureAwait(false);
                break;
            case RealtimeWarningEvent warning:
                Logger.LogWarning("{Processor}: HeyGen warning: {Message}", Name, warning.Message);
                break;
            case SessionStateUpdatedEvent { State: AvatarSessionState.Closed or AvatarSessionState.Closing } when !_closing:
                await PushErrorAsync("HeyGen closed the avatar session.", fatal: true).ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private async ValueTask SetBotSpeakingAsync(bool speaking)
    {
        if (_botSpeaking == speaking)
        {
            return;
        }

        _botSpeaking = speaking;
        Frame downstream = speaking ? new BotStartedSpeakingFrame() : new BotStoppedSpeakingFrame();
        Frame upstream = speaking ? new BotStartedSpeakingFrame() : new BotStoppedSpeakingFrame();
        await PushFrameAsync(downstream, FrameDirection.Downstream).ConfigureAwait(false);
        await PushFrameAsync(upstream, FrameDirection.Upstream).ConfigureAwait(false);
    }

    private async ValueTask ReportFirstMediaAsync()
    {
        if (Interlocked.Exchange(ref _ttfbArmed, 0) == 1)
        {
            await StopTtfbMetricsAsync().ConfigureAwait(false);
        }
    }
}
