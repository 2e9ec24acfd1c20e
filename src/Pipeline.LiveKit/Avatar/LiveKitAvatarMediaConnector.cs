using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;
using Pipeline.LiveKit.Diagnostics;

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
        using Activity? activity = LiveKitTelemetry.Source.StartActivity("livekit.room.connect");
        long started = Stopwatch.GetTimestamp();
        try
        {
            await session.ConnectAsync(cancellationToken).ConfigureAwait(false);
            LiveKitTelemetry.ConnectDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            activity?.SetStatus(ActivityStatusCode.Ok);
            return session;
        }
        catch (Exception e)
        {
            // Only the exception type: the message of a failed join may quote the room URL.
            var errorType = new KeyValuePair<string, object?>("error.type", e.GetType().Name);
            LiveKitTelemetry.ConnectDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, errorType);
            activity?.SetTag(errorType.Key, errorType.Value).SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            await session.DisposeAsync().ConfigureAwait(false);
            if (e is LiveKitException or LiveKitNativeLibraryException)
            {
                throw new AvatarMediaException(e.Message, e);
            }

            throw;
        }
    }
}
