namespace Pipeline.LiveKit;

/// <summary>A participant joined or left the room of a <see cref="LiveKitTransport"/>.</summary>
/// <param name="Identity">The participant's identity.</param>
/// <param name="IsUser">Whether the transport listens (or was listening) to this participant.</param>
/// <param name="Reason">Why it left (for <see cref="LiveKitTransport.ParticipantLeft"/>); null when it joined.</param>
public sealed record LiveKitParticipantEventArgs(string Identity, bool IsUser, DisconnectReason? Reason = null);
