using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;

namespace Pipeline.LiveKit;

/// <summary>
/// Joins the avatar's LiveKit room through the native engine and delivers the avatar participant's video and audio
/// (and only that participant's) through the <see cref="IAvatarMediaSession"/> seam. Frames are handed over over the
/// engine's memory: at most one copy (none when the decoder's rows are unpadded) happens before the frame reaches the
/// reader.
/// </summary>
public sealed class LiveKitAvatarMediaConnector : IAvatarMediaConnector
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly LiveKitAvatarMediaConnectorOptions _options;

    /// <summary>Creates the connector.</summary>
    public LiveKitAvatarMediaConnector(ILoggerFactory? loggerFactory = null, LiveKitAvatarMediaConnectorOptions? options = null)
    {
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _options = options ?? new LiveKitAvatarMediaConnectorOptions();
    }

    /// <summary>Loads the LiveKit native engine (once per process), so a missing engine is reported before an
    /// avatar provider's session is opened and billed.</summary>
    /// <exception cref="AvatarMediaException">The engine is not installed or does not load; the message says how to
    /// install it.</exception>
    public ValueTask EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            _ = Native.FfiClient.Instance;
            return ValueTask.CompletedTask;
        }
        catch (Exception e) when (e is LiveKitException or LiveKitNativeLibraryException)
        {
            throw new AvatarMediaException($"The LiveKit native engine is not available: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = new LiveKitAvatarMediaSession(request, _options, _loggerFactory);
        try
        {
            await session.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch (Exception e) when (e is LiveKitException or LiveKitNativeLibraryException)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new AvatarMediaException(e.Message, e);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
