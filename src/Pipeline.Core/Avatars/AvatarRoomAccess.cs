using System.Text.Json.Serialization;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Where a direct-room avatar publishes its video and audio, and how the people (and, optionally, the bot) join that
/// room to see it. In direct-room mode the avatar's media never passes through the pipeline: the app hands
/// <see cref="Url"/> and <see cref="ClientToken"/> to its user, whose client joins the room and plays the avatar
/// participant (<see cref="AvatarIdentity"/>) itself.
/// </summary>
/// <remarks>
/// The tokens are secrets. <see cref="ToString"/> shows neither them nor the URL's query string, and they are left out
/// of JSON serialization (<see cref="JsonIgnoreAttribute"/>), so that logging or serializing this object by accident
/// leaks nothing: read the properties on purpose, in the one place that hands them to the user's client.
/// </remarks>
public sealed class AvatarRoomAccess
{
    /// <summary>Creates the description of a room.</summary>
    /// <param name="url">The room server's URL (e.g. <c>wss://…livekit.cloud</c>).</param>
    /// <param name="avatarIdentity">The identity of the avatar participant in the room.</param>
    /// <exception cref="ArgumentException">The URL is not absolute or the identity is blank.</exception>
    public AvatarRoomAccess(Uri url, string avatarIdentity)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(avatarIdentity);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("The room URL must be absolute (wss://…).", nameof(url));
        }

        Url = url;
        AvatarIdentity = avatarIdentity;
    }

    /// <summary>The room server's URL, for the user's client (e.g. the LiveKit JS SDK's <c>room.connect(url, token)</c>).</summary>
    public Uri Url { get; }

    /// <summary>The room's name, when the provider says (a room you supplied); null for rooms the provider names itself
    /// (the token then carries the room).</summary>
    public string? RoomName { get; init; }

    /// <summary>The identity of the participant whose tracks are the avatar's: play these, and do not take them for
    /// the user's.</summary>
    public string AvatarIdentity { get; }

    /// <summary>
    /// Whether the avatar provider runs the room (true: the user joins the provider's room with
    /// <see cref="ClientToken"/>) or the room is yours (false: you mint your user's tokens yourself).
    /// </summary>
    public bool ProviderManaged => ClientToken is not null;

    /// <summary>
    /// <b>Secret.</b> The token the end user's client joins the provider's room with; null when the room is yours.
    /// Hand it to that one client over an authenticated channel; never log it or put it in a link others see.
    /// </summary>
    [JsonIgnore]
    public string? ClientToken { get; init; }

    /// <summary>
    /// <b>Secret.</b> The token the bot may join the provider's room with (to hear the user through a room transport),
    /// as a participant of kind agent; null when the provider gives none or the room is yours (then mint the bot's own).
    /// </summary>
    [JsonIgnore]
    public string? AgentToken { get; init; }

    /// <summary>A log-safe description: the URL without its query string, the room and the identity; tokens only as
    /// present or absent.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"AvatarRoomAccess {{ Url = {Url.GetLeftPart(UriPartial.Path)}, RoomName = {RoomName ?? "(in the token)"}, AvatarIdentity = {AvatarIdentity}, " +
        $"ClientToken = {(ClientToken is null ? "none" : "***")}, AgentToken = {(AgentToken is null ? "none" : "***")} }}";
}
