using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>
/// An open <see cref="IAvatarSession"/> wired to its processor: one task reads the session's events (speaking state to
/// <see cref="AvatarOutput"/>, errors to the pipeline), one task per media stream pushes the media, and closing stops
/// the media, closes the session once, and lets the last events through before it returns.
/// </summary>
internal sealed class AvatarSessionLink(
    IAvatarSession session,
    AvatarOutput output,
    Func<string, Func<CancellationToken, Task>, Task> startTask,
    Func<AvatarError, ValueTask> report,
    ILogger logger,
    string processor) : IAsyncDisposable
{
    private readonly CancellationTokenSource _mediaStop = new();
    private readonly List<Task> _mediaPumps = [];
    private readonly Lock _gate = new();
    private Task _eventReader = Task.CompletedTask;
    private Task<int>? _closeTask;
    private volatile bool _closing;

    public IAvatarSession Session => session;

    public bool IsClosing => _closing;

    public void Start()
    {
        _eventReader = startTask("avatar-events", ReadEventsAsync);
        foreach (IAsyncEnumerable<Frame> media in session.Media)
        {
            _mediaPumps.Add(startTask("avatar-media", ct => PumpMediaAsync(media, ct)));
        }
    }

    /// <summary>Closes once; later calls return the same task, whose result is the number of errors the close reported.</summary>
    public Task<int> CloseAsync(string reason)
    {
        lock (_gate)
        {
            return _closeTask ??= CloseCoreAsync(reason);
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync("service disposed").ConfigureAwait(false);

    private async Task<int> CloseCoreAsync(string reason)
    {
        _closing = true;
        await _mediaStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_mediaPumps).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "{Processor}: a media pump ended with an error while closing", processor);
        }

        IReadOnlyList<AvatarError> errors = await session.CloseAsync(reason).ConfigureAwait(false);
        foreach (AvatarError error in errors)
        {
            await report(error).ConfigureAwait(false);
        }

        // The session ended its events when it closed: the reader delivers the last ones (the avatar going quiet)
        // before the end of the pipeline travels on.
        await _eventReader.ConfigureAwait(false);
        await session.DisposeAsync().ConfigureAwait(false);
        _mediaStop.Dispose();
        logger.LogInformation("{Processor}: avatar session {SessionId} closed ({Reason})", processor, session.Id, reason);
        return errors.Count;
    }

    private async Task ReadEventsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (AvatarEvent avatarEvent in session.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (avatarEvent)
                {
                    case AvatarStartedSpeaking or AvatarStoppedSpeaking:
                        await output.SetSpeakingAsync(avatarEvent is AvatarStartedSpeaking).ConfigureAwait(false);
                        break;
                    case AvatarWarning warning:
                        logger.LogWarning("{Processor}: avatar warning: {Message}", processor, warning.Message);
                        break;
                    case AvatarError error when !(_closing && error.Fatal):
                        await report(error).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The processor stopped.
        }
    }

    private async Task PumpMediaAsync(IAsyncEnumerable<Frame> media, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _mediaStop.Token);
        try
        {
            await output.PumpAsync(media, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The session is closing or the processor stopped.
        }
        catch (Exception ex) when (!_closing)
        {
            await report(new AvatarError($"The avatar's media stream failed: {ex.Message}", Exception: ex)).ConfigureAwait(false);
        }
    }
}
