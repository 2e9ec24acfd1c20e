using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Avatars;

/// <summary>
/// The avatar's listening pose: switched on when the user starts speaking (or the avatar is interrupted) and off when
/// the user stops, sent to the session only when it changes and only to sessions that support it. A failure is a
/// warning, not an error: the pose is cosmetic.
/// </summary>
internal sealed class ListeningPose(ILogger logger, string processorName)
{
    private readonly Lock _gate = new();
    private bool _listening;

    public async ValueTask SetAsync(IAvatarSession? session, bool listening, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (session is not { SupportsListening: true } || _listening == listening)
            {
                return;
            }

            _listening = listening;
        }

        try
        {
            await session.SetListeningAsync(listening, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "{Processor}: could not change the avatar's listening pose", processorName);
        }
    }
}
