using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipeline.LiveKit;

/// <summary>
/// Mints a LiveKit access token locally: a JWT signed with HMAC-SHA256 by the project's API secret, carrying the
/// participant's identity and a video grant to join one room. Use it where your own server would call a LiveKit server
/// SDK, e.g. to let a bot, a browser and an avatar join the same room. Set the properties, then call
/// <see cref="ToJwt"/>. The secret is used only to sign: it is never part of the token, <see cref="ToString"/> or an
/// error message.
/// </summary>
public sealed class LiveKitAccessToken
{
    /// <summary>The default lifetime of a token: 6 hours.</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromHours(6);

    /// <summary>The LiveKit project's API key (<c>LIVEKIT_API_KEY</c>); the token's issuer (<c>iss</c>).</summary>
    public required string ApiKey { get; init; }

    /// <summary>The LiveKit project's API secret (<c>LIVEKIT_API_SECRET</c>); signs the token and is never in it.</summary>
    public required string ApiSecret { get; init; }

    /// <summary>The participant's identity in the room (<c>sub</c>); unique per room.</summary>
    public required string Identity { get; init; }

    /// <summary>The room the token lets its holder join (the video grant's <c>room</c>).</summary>
    public required string Room { get; init; }

    /// <summary>The participant's display name (<c>name</c>); none when null.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The participant's kind (<c>kind</c>): null (the default) for a person's client, <c>"agent"</c> for a bot or an
    /// avatar, so other participants (and <see cref="LiveKitTransport"/>) can tell people from agents.
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>
    /// Key/value attributes the participant joins with (the top-level <c>attributes</c> claim), visible to everyone
    /// in the room; e.g. <c>lk.publish_on_behalf</c> on an avatar worker's token. None when null or empty.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Application metadata of the participant (the <c>metadata</c> claim); none when null.</summary>
    public string? Metadata { get; init; }

    /// <summary>Whether the token lets its holder join <see cref="Room"/> (<c>video.roomJoin</c>). Default true; false
    /// for a server API token (e.g. one with <see cref="RoomAdmin"/> only).</summary>
    public bool RoomJoin { get; init; } = true;

    /// <summary>
    /// Whether the holder may moderate <see cref="Room"/> through LiveKit's server API (<c>video.roomAdmin</c>): list
    /// and remove participants, mute tracks. Default false. Such a token is a secret of the server side: never hand it
    /// to a client.
    /// </summary>
    public bool RoomAdmin { get; init; }

    /// <summary>Whether the participant may publish audio and video tracks. Default true.</summary>
    public bool CanPublish { get; init; } = true;

    /// <summary>Whether the participant may subscribe to other participants' tracks. Default true.</summary>
    public bool CanSubscribe { get; init; } = true;

    /// <summary>Whether the participant may send data messages. Default true.</summary>
    public bool CanPublishData { get; init; } = true;

    /// <summary>How long the token is valid from the moment it is minted (<c>exp</c> − <c>nbf</c>). Default 6 hours.</summary>
    public TimeSpan TimeToLive { get; init; } = DefaultTimeToLive;

    /// <summary>The clock that stamps <c>nbf</c> and <c>exp</c>. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Signs the token: <c>base64url(header).base64url(claims).base64url(HMAC-SHA256)</c>.</summary>
    /// <exception cref="ArgumentException">A required value is empty or the lifetime is not positive.</exception>
    public string ToJwt()
    {
        Validate();
        long now = TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        string header = Encode("""{"alg":"HS256","typ":"JWT"}"""u8);
        string claims = Encode(ClaimsJson(now));
        string signingInput = header + "." + claims;
        byte[] key = Encoding.UTF8.GetBytes(ApiSecret);
        try
        {
            byte[] signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
            return signingInput + "." + Encode(signature);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Who and where, without the secret: for logs.</summary>
    public override string ToString() => $"LiveKit access token for '{Identity}' in room '{Room}' (API key {ApiKey}, valid {TimeToLive})";

    private void Validate()
    {
        // The messages name the setting and the fix; they never echo the secret.
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("The LiveKit API key is empty: set it to your project's key (LIVEKIT_API_KEY).", nameof(ApiKey));
        }

        if (string.IsNullOrWhiteSpace(ApiSecret))
        {
            throw new ArgumentException("The LiveKit API secret is empty: set it to your project's secret (LIVEKIT_API_SECRET).", nameof(ApiSecret));
        }

        if (string.IsNullOrWhiteSpace(Identity))
        {
            throw new ArgumentException("The participant identity is empty: give each participant a unique identity in the room.", nameof(Identity));
        }

        if (string.IsNullOrWhiteSpace(Room))
        {
            throw new ArgumentException("The room name is empty: a token grants joining one named room.", nameof(Room));
        }

        if (Attributes is not null)
        {
            foreach (KeyValuePair<string, string> attribute in Attributes)
            {
                if (string.IsNullOrEmpty(attribute.Key) || attribute.Value is null)
                {
                    throw new ArgumentException("A participant attribute needs a non-empty name and a value (use \"\" for none).", nameof(Attributes));
                }
            }
        }

        if (TimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"TimeToLive is {TimeToLive}: a token must be valid for a positive time (default {DefaultTimeToLive}).", nameof(TimeToLive));
        }
    }

    private byte[] ClaimsJson(long now)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("iss", ApiKey);
            json.WriteString("sub", Identity);
            json.WriteNumber("nbf", now);
            json.WriteNumber("exp", now + (long)Math.Ceiling(TimeToLive.TotalSeconds));
            if (Name is not null)
            {
                json.WriteString("name", Name);
            }

            if (Kind is not null)
            {
                json.WriteString("kind", Kind);
            }

            if (Metadata is not null)
            {
                json.WriteString("metadata", Metadata);
            }

            if (Attributes is { Count: > 0 })
            {
                json.WriteStartObject("attributes");
                foreach (KeyValuePair<string, string> attribute in Attributes)
                {
                    json.WriteString(attribute.Key, attribute.Value);
                }

                json.WriteEndObject();
            }

            json.WriteStartObject("video");
            json.WriteBoolean("roomJoin", RoomJoin);
            if (RoomAdmin)
            {
                json.WriteBoolean("roomAdmin", true);
            }

            json.WriteString("room", Room);
            json.WriteBoolean("canPublish", CanPublish);
            json.WriteBoolean("canSubscribe", CanSubscribe);
            json.WriteBoolean("canPublishData", CanPublishData);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);
}
