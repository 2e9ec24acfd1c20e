namespace Pipeline.BeyondPresence;

/// <summary>What <see cref="BeyondPresenceApi.CreateSessionAsync"/> sends: which avatar, and where its worker joins.</summary>
/// <param name="AvatarId">The Beyond Presence avatar to render.</param>
/// <param name="LiveKitUrl">The LiveKit server the worker joins (ws:// or wss://).</param>
/// <param name="LiveKitToken">The LiveKit access token the worker joins with. A secret: never logged, redacted by
/// <see cref="ToString"/> and masked in every error text.</param>
public sealed record BeyondPresenceSessionRequest(string AvatarId, Uri LiveKitUrl, string LiveKitToken)
{
    /// <summary>The avatar and the LiveKit host, without the token.</summary>
    public override string ToString() => $"avatar '{AvatarId}' at {LiveKitUrl.GetLeftPart(UriPartial.Authority)} (token redacted)";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(AvatarId))
        {
            throw new ArgumentException("The avatar id is empty: set BeyondPresenceOptions.AvatarId.", nameof(AvatarId));
        }

        if (LiveKitUrl is null || !LiveKitUrl.IsAbsoluteUri || LiveKitUrl.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException("The LiveKit URL must be an absolute ws://, wss://, http:// or https:// URL of the LiveKit server.", nameof(LiveKitUrl));
        }

        if (string.IsNullOrWhiteSpace(LiveKitToken))
        {
            throw new ArgumentException("The LiveKit token is empty: mint one for the worker (LiveKitAccessToken) before dispatching it.", nameof(LiveKitToken));
        }
    }
}
