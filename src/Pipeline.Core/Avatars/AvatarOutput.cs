using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Avatars;

/// <summary>
/// What the avatar sends back into the pipeline: its media, held back until the output transport is ready and pushed
/// to the next processor through that processor's own queue (no queue of ours in between), and its speaking state as
/// <see cref="BotStartedSpeakingFrame"/>/<see cref="BotStoppedSpeakingFrame"/> both ways. It also arms the TTFB metric
/// on the avatar starting to speak and stops it at the first media after that.
/// </summary>
internal sealed class AvatarOutput(
    Func<Frame, FrameDirection, CancellationToken, ValueTask> push, Func<ValueTask> firstMediaAfterSpeech, bool transportReady,
    Action? speakingStarted = null)
{
    private volatile bool _transportReady = transportReady;
    private volatile bool _botSpeaking;
    private volatile bool _mediaBypasses;
    private int _ttfbArmed;
    private long _videoDroppedBeforeReady;
    private long _audioDroppedBeforeReady;
    private long _videoPushed;
    private long _audioPushed;

    public long VideoDroppedBeforeReady => Interlocked.Read(ref _videoDroppedBeforeReady);

    public long AudioDroppedBeforeReady => Interlocked.Read(ref _audioDroppedBeforeReady);

    public bool TransportReady => _transportReady;

    public long VideoPushed => Interlocked.Read(ref _videoPushed);

    public long AudioPushed => Interlocked.Read(ref _audioPushed);

    /// <summary>Told of each media frame dropped because the output transport was not ready yet (a metric; must be cheap).</summary>
    public Action? Dropped { get; init; }

    public void OnTransportReady() => _transportReady = true;

    /// <summary>The session's media goes straight to a room (direct-room mode): the time to first byte ends when the
    /// avatar starts talking, as no media will follow.</summary>
    public void MediaBypassesPipeline() => _mediaBypasses = true;

    /// <summary>Pushes one media stream downstream until it ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task PumpAsync(IAsyncEnumerable<Frame> media, CancellationToken cancellationToken)
    {
        await foreach (Frame frame in media.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // The session hands each frame's pooled buffer reference over with it: pushed on, or released here.
            bool video = frame is ImageRawFrame;
            if (!_transportReady)
            {
                Interlocked.Increment(ref video ? ref _videoDroppedBeforeReady : ref _audioDroppedBeforeReady);
                frame.Release();
                Dropped?.Invoke();
                continue;
            }

            if (Interlocked.Exchange(ref _ttfbArmed, 0) == 1)
            {
                try
                {
                    await firstMediaAfterSpeech().ConfigureAwait(false);
                }
                catch
                {
                    frame.Release();
                    throw;
                }
            }

            await push(frame, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false); // takes the reference, even on failure
            Interlocked.Increment(ref video ? ref _videoPushed : ref _audioPushed);
        }
    }

    /// <summary>The avatar started or stopped talking: tells both neighbours once per change.</summary>
    public async ValueTask SetSpeakingAsync(bool speaking)
    {
        if (speaking)
        {
            if (_mediaBypasses)
            {
                await firstMediaAfterSpeech().ConfigureAwait(false);
            }
            else
            {
                Interlocked.Exchange(ref _ttfbArmed, 1);
            }

            speakingStarted?.Invoke();
        }

        if (_botSpeaking == speaking)
        {
            return;
        }

        _botSpeaking = speaking;
        await push(speaking ? new BotStartedSpeakingFrame() : new BotStoppedSpeakingFrame(), FrameDirection.Downstream, default).ConfigureAwait(false);
        await push(speaking ? new BotStartedSpeakingFrame() : new BotStoppedSpeakingFrame(), FrameDirection.Upstream, default).ConfigureAwait(false);
    }
}
