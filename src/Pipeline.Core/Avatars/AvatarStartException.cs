namespace Pipeline.Core.Avatars;

/// <summary>An avatar session could not be opened; <see cref="Step"/> says at which step.</summary>
public sealed class AvatarStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The step that failed, as a verb phrase (e.g. "open the session", "join the avatar's room").</param>
    /// <param name="innerException">The cause.</param>
    public AvatarStartException(string step, Exception innerException)
        : base($"failed to {step}: {innerException?.Message}", innerException)
    {
        Step = step;
    }

    /// <summary>Creates the exception.</summary>
    public AvatarStartException()
    {
        Step = "start";
    }

    /// <summary>Creates the exception.</summary>
    public AvatarStartException(string message)
        : base(message)
    {
        Step = "start";
    }

    /// <summary>The step that failed.</summary>
    public string Step { get; }
}
