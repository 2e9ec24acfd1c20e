using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// HeyGen's Interactive Avatar streaming API (<c>/v1/streaming.*</c>).
/// Authentication: <c>x-api-key</c> with the account's key, or <c>Authorization: Bearer</c> with a token from
/// streaming.create_token (which itself needs the key). Missing credentials: 401 code 400112; a wrong key: 401
/// code 40009. Every body is JSON; every answer is the <c>{code,message,data}</c> envelope with code 100 on success,
/// except create_token's <c>{error:null,data:{token}}</c>.
/// </summary>
internal sealed class StreamingApiEndpoints(EmulatorState state)
{
    private const int DefaultIdleTimeoutSeconds = 120;

    private static readonly string[] Qualities = ["low", "medium", "high"];
    private static readonly string[] Encodings = ["H264", "VP8"];
    private static readonly string[] Emotions = ["excited", "serious", "friendly", "soothing", "broadcaster"];

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(EmulatorPaths.StreamingCreateToken, CreateTokenAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingCreateToken));
        routes.MapPost(EmulatorPaths.StreamingNew, NewAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingNew));
        routes.MapPost(EmulatorPaths.StreamingStart, StartAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingStart));
        routes.MapPost(EmulatorPaths.StreamingStop, StopAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingStop));
        routes.MapPost(EmulatorPaths.StreamingKeepAlive, KeepAliveAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingKeepAlive));
        routes.MapGet(EmulatorPaths.StreamingList, ListAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingList));
    }

    private async Task CreateTokenAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context, allowBearer: false).ConfigureAwait(false))
        {
            return;
        }

        var token = state.IssueStreamingToken();
        await Wire.WriteJson(context, StatusCodes.Status200OK, new JsonObject
        {
            ["error"] = null,
            ["data"] = new JsonObject { ["token"] = token },
        }).ConfigureAwait(false);
    }

    private async Task NewAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context, allowBearer: true).ConfigureAwait(false))
        {
            return;
        }

        var body = await Wire.ReadObjectAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await InvalidAsync(context, "the body must be a JSON object").ConfigureAwait(false);
            return;
        }

        var problem = ValidateNewSession(body);
        if (problem is not null)
        {
            await InvalidAsync(context, problem).ConfigureAwait(false);
            return;
        }

        var avatarId = Wire.String(body, "avatar_id");
        if (avatarId is not null && state.Options.KnownAvatarIds.Count > 0 && !state.Options.KnownAvatarIds.Contains(avatarId))
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeAvatarNotFound, "avatar not found").ConfigureAwait(false);
            return;
        }

        var id = Guid.NewGuid().ToString();
        var realtimeToken = state.NewSecret("emu-rt-");
        var session = new EmulatedSession(EmulatedProduct.InteractiveAvatar, id, state.Time.GetUtcNow(), body.ToJsonString())
        {
            AccessToken = state.NewSecret("emu-at-"),
            AgentToken = state.NewSecret("emu-agent-"),
            RealtimeToken = realtimeToken,
            RealtimeUrl = state.RealtimeUrl(EmulatorPaths.StreamingRealtime, id, realtimeToken),
            LiveKitUrl = EmulatorState.MediaUrl(id),
            AvatarId = avatarId,
            IdleTimeout = TimeSpan.FromSeconds(body["activity_idle_timeout"]?.GetValue<int>() ?? DefaultIdleTimeoutSeconds),
            MaxDuration = TimeSpan.FromSeconds(state.Options.SessionDurationLimitSeconds),
        };
        state.Open(session);

        await Wire.StreamingOk(context, new JsonObject
        {
            ["session_id"] = session.Id,
            ["url"] = session.LiveKitUrl!.AbsoluteUri,
            ["access_token"] = session.AccessToken,
            ["livekit_agent_token"] = session.AgentToken,
            ["realtime_endpoint"] = session.RealtimeUrl.AbsoluteUri,
            ["session_duration_limit"] = state.Options.SessionDurationLimitSeconds,
            ["is_paid"] = state.Options.IsPaidAccount,
            // Left over from v1 raw WebRTC; null under v2, as the real service answers.
            ["sdp"] = null,
            ["ice_servers"] = null,
            ["ice_servers2"] = null,
        }).ConfigureAwait(false);
    }

    private async Task StartAsync(HttpContext context)
    {
        var session = await SessionFromBodyAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        if (!session.TryStart(state.Time.GetUtcNow()))
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeSessionStateWrong, "session state wrong: closed").ConfigureAwait(false);
            return;
        }

        await Wire.StreamingOk(context, new JsonObject { ["status"] = "success" }).ConfigureAwait(false);
    }

    private async Task StopAsync(HttpContext context)
    {
        var session = await SessionFromBodyAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        // Stopping an already stopped session succeeds again (assumed; it keeps a retried stop harmless).
        session.TryStop(state.Time.GetUtcNow(), reason: null);
        await Wire.StreamingOk(context, data: null).ConfigureAwait(false);
    }

    private async Task KeepAliveAsync(HttpContext context)
    {
        var session = await SessionFromBodyAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        if (!session.TryKeepAlive(state.Time.GetUtcNow()))
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeSessionStateWrong, "session state wrong: closed").ConfigureAwait(false);
            return;
        }

        await Wire.StreamingOk(context, data: null).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context, allowBearer: true).ConfigureAwait(false))
        {
            return;
        }

        var sessions = new JsonArray();
        foreach (var session in state.Sessions.Open.Where(s => s.Product == EmulatedProduct.InteractiveAvatar))
        {
            sessions.Add(new JsonObject
            {
                ["session_id"] = session.Id,
                ["status"] = session.State == EmulatedSessionState.Started ? "connected" : "new",
                ["created_at"] = session.CreatedAt.ToUnixTimeSeconds(),
            });
        }

        await Wire.StreamingOk(context, new JsonObject { ["sessions"] = sessions }).ConfigureAwait(false);
    }

    /// <summary>Authenticates, reads <c>session_id</c> and finds the session; writes the error and returns null otherwise.</summary>
    private async Task<EmulatedSession?> SessionFromBodyAsync(HttpContext context) =>
        (await SessionAndBodyAsync(context).ConfigureAwait(false)).Session;

    /// <summary>Like <see cref="SessionFromBodyAsync"/>, also returning the parsed body (for streaming.task's <c>text</c>).</summary>
    internal async Task<(EmulatedSession? Session, JsonObject? Body)> SessionAndBodyAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context, allowBearer: true).ConfigureAwait(false))
        {
            return (null, null);
        }

        var body = await Wire.ReadObjectAsync(context).ConfigureAwait(false);
        var sessionId = body is null ? null : Wire.String(body, "session_id");
        if (string.IsNullOrEmpty(sessionId))
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeMissingParameter, "Required parameters missing: session_id").ConfigureAwait(false);
            return (null, body);
        }

        var session = state.Sessions.Find(sessionId);
        if (session is null || session.Product != EmulatedProduct.InteractiveAvatar)
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeSessionNotFound, "Session does not exist").ConfigureAwait(false);
            return (null, body);
        }

        return (session, body);
    }

    private async Task<bool> AuthorizeAsync(HttpContext context, bool allowBearer)
    {
        var key = context.Request.Headers["x-api-key"].ToString();
        if (key.Length > 0)
        {
            if (string.Equals(key, state.Options.ApiKey, StringComparison.Ordinal))
            {
                return true;
            }

            await Wire.StreamingError(context, StatusCodes.Status401Unauthorized, Wire.CodeInvalidCredentials, "Invalid credentials").ConfigureAwait(false);
            return false;
        }

        if (allowBearer && Wire.BearerToken(context) is { } token && state.IsStreamingToken(token))
        {
            return true;
        }

        await Wire.StreamingError(context, StatusCodes.Status401Unauthorized, Wire.CodeUnauthorized, "Unauthorized").ConfigureAwait(false);
        return false;
    }

    private static Task InvalidAsync(HttpContext context, string problem) =>
        Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeInvalidParameter, $"Invalid parameter: {problem}");

    private static string? ValidateNewSession(JsonObject body)
    {
        // Without "v2" HeyGen falls back to v1 raw WebRTC, which it no longer supports.
        if (Wire.String(body, "version") != "v2")
        {
            return "version must be \"v2\"";
        }

        if (body["quality"] is not null && !Qualities.Contains(Wire.String(body, "quality")))
        {
            return "quality must be one of low, medium, high";
        }

        if (body["video_encoding"] is not null && !Encodings.Contains(Wire.String(body, "video_encoding")))
        {
            return "video_encoding must be H264 or VP8";
        }

        if (body["activity_idle_timeout"] is JsonNode idle
            && (idle is not JsonValue v || !v.TryGetValue<int>(out var seconds) || seconds < 30 || seconds > 3600))
        {
            return "activity_idle_timeout must be an integer from 30 to 3600";
        }

        if (body["voice"] is JsonObject voice)
        {
            if (voice["emotion"] is not null && !Emotions.Contains(Wire.String(voice, "emotion")))
            {
                return "voice.emotion must be one of excited, serious, friendly, soothing, broadcaster";
            }

            if (voice["rate"] is JsonNode rateNode && (rateNode is not JsonValue r || !r.TryGetValue<double>(out var rate) || rate < 0.5 || rate > 1.5))
            {
                return "voice.rate must be a number from 0.5 to 1.5";
            }
        }

        return null;
    }
}
