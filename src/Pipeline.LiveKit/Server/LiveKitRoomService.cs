using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Pipeline.LiveKit;

/// <summary>
/// A small client for LiveKit's server API (the <c>livekit.RoomService</c> Twirp service, JSON over HTTP): list a
/// room's participants and remove one. Each call carries a short-lived token with the room-admin grant for that room,
/// minted here from the API key and secret; neither the secret nor a token ever reaches a message or a log.
/// </summary>
/// <remarks>The <see cref="HttpClient"/> is the caller's (e.g. from IHttpClientFactory): this client never disposes it.</remarks>
public sealed class LiveKitRoomService
{
    private const string ServicePath = "twirp/livekit.RoomService/";
    private const int MaxErrorText = 300;
    private static readonly TimeSpan AdminTokenTimeToLive = TimeSpan.FromMinutes(10);
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly string _apiKey;
    private readonly string _apiSecret;
    private readonly TimeProvider _time;

    /// <summary>Creates the client.</summary>
    /// <param name="httpClient">Sends the requests (not disposed here).</param>
    /// <param name="roomServiceUrl">The server's HTTP(S) address, e.g. <c>https://my-project.livekit.cloud</c>
    /// (<see cref="HttpBaseFor"/> turns a <c>wss://</c> room URL into it).</param>
    /// <param name="apiKey">The project's API key (<c>LIVEKIT_API_KEY</c>).</param>
    /// <param name="apiSecret">The project's API secret (<c>LIVEKIT_API_SECRET</c>); signs the admin tokens.</param>
    /// <param name="timeProvider">Stamps the tokens; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), or the key or secret is empty.</exception>
    public LiveKitRoomService(HttpClient httpClient, Uri roomServiceUrl, string apiKey, string apiSecret, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(roomServiceUrl);
        if (!roomServiceUrl.IsAbsoluteUri || (roomServiceUrl.Scheme != Uri.UriSchemeHttp && roomServiceUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"The RoomService URL must be an absolute http:// or https:// address (got {Describe(roomServiceUrl)}); for a ws(s):// room URL use LiveKitRoomService.HttpBaseFor.",
                nameof(roomServiceUrl));
        }

        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new ArgumentException("The LiveKit API key is empty: set it to your project's key (LIVEKIT_API_KEY).", nameof(apiKey));
        }

        if (string.IsNullOrWhiteSpace(apiSecret))
        {
            throw new ArgumentException("The LiveKit API secret is empty: set it to your project's secret (LIVEKIT_API_SECRET).", nameof(apiSecret));
        }

        _http = httpClient;
        string path = roomServiceUrl.GetLeftPart(UriPartial.Path);
        _baseUrl = new Uri(path.EndsWith('/') ? path : path + "/");
        _apiKey = apiKey;
        _apiSecret = apiSecret;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The server's HTTP address for a room URL: <c>ws://</c> → <c>http://</c>, <c>wss://</c> → <c>https://</c>; an http(s) URL as is.</summary>
    /// <param name="liveKitUrl">The URL rooms are joined at.</param>
    /// <returns>The RoomService base address (no query string).</returns>
    /// <exception cref="ArgumentException">The URL is not absolute ws, wss, http or https.</exception>
    public static Uri HttpBaseFor(Uri liveKitUrl)
    {
        ArgumentNullException.ThrowIfNull(liveKitUrl);
        string? scheme = !liveKitUrl.IsAbsoluteUri ? null : liveKitUrl.Scheme switch
        {
            "ws" or "http" => Uri.UriSchemeHttp,
            "wss" or "https" => Uri.UriSchemeHttps,
            _ => null,
        };
        if (scheme is null)
        {
            throw new ArgumentException($"A LiveKit URL is ws://, wss://, http:// or https:// (got {Describe(liveKitUrl)}).", nameof(liveKitUrl));
        }

        var builder = new UriBuilder(liveKitUrl) { Scheme = scheme, Query = string.Empty, Fragment = string.Empty };
        if (liveKitUrl.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri;
    }

    /// <summary>Removes a participant from a room (it is disconnected at once).</summary>
    /// <param name="room">The room's name.</param>
    /// <param name="identity">The participant's identity.</param>
    /// <param name="cancellationToken">Abandons the call.</param>
    /// <returns>True when it was removed; false when the server answered 404 (no such participant or room: already gone).</returns>
    /// <exception cref="LiveKitRoomServiceException">The server refused (status and Twirp code in the message) or did not answer.</exception>
    public async Task<bool> RemoveParticipantAsync(string room, string identity, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(room);
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        using HttpResponseMessage? response = await CallAsync(
            "RemoveParticipant", room, new RoomParticipantRequest(room, identity), RoomServiceJsonContext.Default.RoomParticipantRequest,
            notFoundIsAnswer: true, cancellationToken).ConfigureAwait(false);
        return response is not null;
    }

    /// <summary>Lists the participants of a room.</summary>
    /// <param name="room">The room's name.</param>
    /// <param name="cancellationToken">Abandons the call.</param>
    /// <returns>Their identities, kinds and attributes.</returns>
    /// <exception cref="LiveKitRoomServiceException">The server refused (status and Twirp code in the message), did not answer, or sent JSON that is not a participant list.</exception>
    public async Task<IReadOnlyList<RoomParticipant>> ListParticipantsAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(room);
        using HttpResponseMessage response = (await CallAsync(
            "ListParticipants", room, new RoomRequest(room), RoomServiceJsonContext.Default.RoomRequest, notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false))!;
        ListParticipantsResponse? list;
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                list = await JsonSerializer.DeserializeAsync(body, RoomServiceJsonContext.Default.ListParticipantsResponse, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            throw new LiveKitRoomServiceException($"LiveKit RoomService ListParticipants for room '{room}' answered with JSON that is not a participant list: {e.Message}", response.StatusCode, null, e);
        }

        return [.. (list?.Participants ?? []).Where(p => !string.IsNullOrEmpty(p.Identity)).Select(p => new RoomParticipant(
            p.Identity!, KindOf(p.Kind), p.Attributes ?? new Dictionary<string, string>(StringComparer.Ordinal))
        {
            Sid = string.IsNullOrEmpty(p.Sid) ? null : p.Sid,
            Name = string.IsNullOrEmpty(p.Name) ? null : p.Name,
        })];
    }

    /// <inheritdoc />
    public override string ToString() => $"LiveKit RoomService at {_baseUrl} (API key {_apiKey})";

    // Null when the server said 404 and that is an answer; the response (which the caller disposes) otherwise.
    private async Task<HttpResponseMessage?> CallAsync<T>(
        string method, string room, T request, JsonTypeInfo<T> type, bool notFoundIsAnswer, CancellationToken cancellationToken)
    {
        string token = new LiveKitAccessToken
        {
            ApiKey = _apiKey,
            ApiSecret = _apiSecret,
            Identity = "pipeline-room-service",
            Room = room,
            RoomJoin = false,
            RoomAdmin = true,
            CanPublish = false,
            CanSubscribe = false,
            CanPublishData = false,
            TimeToLive = AdminTokenTimeToLive,
            TimeProvider = _time,
        }.ToJwt();
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, ServicePath + method))
        {
            Content = new StringContent(JsonSerializer.Serialize(request, type), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new LiveKitRoomServiceException($"LiveKit RoomService {method} for room '{room}' at {_baseUrl} could not be reached: {e.Message}", null, null, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LiveKitRoomServiceException($"LiveKit RoomService {method} for room '{room}' at {_baseUrl} did not answer in time.", null, null, e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            if (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            TwirpError? error = null;
            try
            {
                error = JsonSerializer.Deserialize(text, RoomServiceJsonContext.Default.TwirpError);
            }
            catch (JsonException)
            {
                // Not Twirp's error body (a proxy's page, say): its start is quoted below instead.
            }

            string detail = error?.Msg ?? (text.Length > MaxErrorText ? text[..MaxErrorText] + "…" : text);
            detail = detail.Replace(token, "***", StringComparison.Ordinal);
            string hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? " Check LIVEKIT_API_KEY and LIVEKIT_API_SECRET: they must be the project's, for this server."
                : string.Empty;
            throw new LiveKitRoomServiceException(
                $"LiveKit RoomService {method} for room '{room}' failed: HTTP {(int)response.StatusCode} ({error?.Code ?? "no Twirp code"}): {detail}.{hint}",
                response.StatusCode, error?.Code);
        }
    }

    private static ParticipantKind KindOf(JsonElement kind) => kind.ValueKind switch
    {
        JsonValueKind.Number when kind.TryGetInt32(out int value) && Enum.IsDefined((ParticipantKind)value) => (ParticipantKind)value,
        JsonValueKind.String => kind.GetString()?.ToUpperInvariant() switch
        {
            "INGRESS" => ParticipantKind.Ingress,
            "EGRESS" => ParticipantKind.Egress,
            "SIP" => ParticipantKind.Sip,
            "AGENT" => ParticipantKind.Agent,
            "CONNECTOR" => ParticipantKind.Connector,
            _ => ParticipantKind.Standard,
        },
        _ => ParticipantKind.Standard,
    };

    private static string Describe(Uri url) => url.IsAbsoluteUri ? url.GetLeftPart(UriPartial.Path) : url.OriginalString;
}
