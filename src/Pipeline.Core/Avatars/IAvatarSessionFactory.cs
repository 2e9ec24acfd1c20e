using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Opens avatar sessions for an <see cref="AvatarVideoService"/>: the one thing an avatar provider implements to plug
/// into the pipeline (with the <see cref="IAvatarSession"/> it returns).
/// </summary>
public interface IAvatarSessionFactory
{
    /// <summary>
    /// Opens a session: everything the provider needs (billing session, control connection, media room), in order. On
    /// failure or cancellation whatever was opened is closed before this throws.
    /// </summary>
    /// <exception cref="AvatarStartException">A step failed; its <see cref="AvatarStartException.Step"/> names it.</exception>
    ValueTask<IAvatarSession> OpenAsync(AvatarSessionContext context, CancellationToken cancellationToken);
}

/// <summary>What the pipeline gives a session when it opens: its output format, logging and clock.</summary>
/// <param name="OutputSampleRate">The pipeline's output audio rate, in Hz (the avatar's audio is delivered at it unless the provider is told otherwise).</param>
/// <param name="LoggerFactory">The pipeline's logging.</param>
/// <param name="TimeProvider">The pipeline's clock: every timer of the session runs on it.</param>
public sealed record AvatarSessionContext(int OutputSampleRate, ILoggerFactory LoggerFactory, TimeProvider TimeProvider)
{
    /// <summary>The pipeline's meter factory (with DI, the container's), for the provider's own meters; null for process-wide meters.</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
