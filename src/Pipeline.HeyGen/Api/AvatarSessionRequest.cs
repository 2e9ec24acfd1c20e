namespace Pipeline.HeyGen.Api;

/// <summary>
/// Base of every provider's "new session" request, so <see cref="BaseAvatarApi.NewSessionAsync"/> has one signature
/// for all providers while each provider keeps its own strongly typed request.
/// </summary>
public abstract record AvatarSessionRequest
{
    /// <summary>Checks the request before anything is sent.</summary>
    /// <exception cref="ArgumentException">A field is out of range or missing.</exception>
    public abstract void Validate();
}
