namespace Pipeline.Tavus;

/// <summary>What <see cref="TavusApi.CreateConversationAsync"/> sends: which persona and replica, and where the replica joins.</summary>
/// <param name="PersonaId">The persona (pipeline_mode <c>echo</c>, a <c>livekit</c> transport layer).</param>
/// <param name="ReplicaId">The replica; <see langword="null"/> for the persona's default.</param>
/// <param name="LiveKitUrl">The LiveKit server the replica joins (ws:// or wss://).</param>
/// <param name="LiveKitToken">The LiveKit access token the replica joins with. A secret: never logged, redacted by
/// <see cref="ToString"/> and masked in every error text.</param>
/// <param name="ConversationName">A name for the conversation (shown in Tavus's dashboard); not a secret.</param>
public sealed record TavusConversationRequest(string PersonaId, string? ReplicaId, Uri LiveKitUrl, string LiveKitToken, string ConversationName)
{
    /// <summary>The persona, replica, name and LiveKit host, without the token.</summary>
    public override string ToString() =>
        $"conversation '{ConversationName}' of persona '{PersonaId}' (replica '{ReplicaId ?? "default"}') at {LiveKitUrl.GetLeftPart(UriPartial.Authority)} (token redacted)";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(PersonaId))
        {
            throw new ArgumentException("The persona id is empty: set TavusOptions.PersonaId.", nameof(PersonaId));
        }

        if (LiveKitUrl is null || !LiveKitUrl.IsAbsoluteUri || LiveKitUrl.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException("The LiveKit URL must be an absolute ws://, wss://, http:// or https:// URL of the LiveKit server.", nameof(LiveKitUrl));
        }

        if (string.IsNullOrWhiteSpace(LiveKitToken))
        {
            throw new ArgumentException("The LiveKit token is empty: mint one for the replica (LiveKitAccessToken) before dispatching it.", nameof(LiveKitToken));
        }

        if (string.IsNullOrWhiteSpace(ConversationName))
        {
            throw new ArgumentException("The conversation name is empty.", nameof(ConversationName));
        }
    }
}
