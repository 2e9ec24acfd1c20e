namespace Pipeline.LiveKit;

/// <summary>A participant of a room as LiveKit's server API lists it (<see cref="LiveKitRoomService.ListParticipantsAsync"/>).</summary>
/// <param name="Identity">The participant's identity.</param>
/// <param name="Kind">What kind of client it is (an agent, a person...).</param>
/// <param name="Attributes">Its attributes (empty when none).</param>
public sealed record RoomParticipant(string Identity, ParticipantKind Kind, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The participant's server id (<c>PA_…</c>), when the server says.</summary>
    public string? Sid { get; init; }

    /// <summary>Its display name, when it has one.</summary>
    public string? Name { get; init; }
}
