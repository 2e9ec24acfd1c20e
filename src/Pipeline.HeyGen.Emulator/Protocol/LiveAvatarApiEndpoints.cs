using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// LiveAvatar's session API (<c>/v1/sessions/*</c>).
/// Authentication: <c>sessions/token</c> needs the API key in <c>X-API-KEY</c>; <c>sessions/start</c> needs the session
/// token as <c>Authorization: Bearer</c>; stop and keep-alive take either. Answers use the
/// <c>{code,data,message}</c> envelope (success code per <see cref="HeyGenEmulatorOptions.LiveAvatarSuccessCode"/>;
/// start answers HTTP 201, as in LiveAvatar's OpenAPI spec). Errors carry the HTTP status as <c>code</c>; body
/// validation failures are FastAPI's 422 <c>{"detail":[...]}</c>.
/// </summary>
internal sealed class LiveAvatarApiEndpoints(EmulatorState state)
{
    private const string SandboxAvatarId = "dd73ea75-1218-4ef3-92ce-606d5f7fbc0a";
    private const int SandboxMaxSessionSeconds = 60;

    private static readonly string[] Modes = ["LITE", "FULL", "CUSTOM"];
    private static readonly string[] Encodings = ["H264", "VP8"];
    private static readonly string[] Qualities = ["low", "medium", "high", "very_high"];
    private static readonly string[] StopReasons =
    [
        "UNKNOWN", "USER_DISCONNECTED", "SERVER_ERROR", "IDLE_TIMEOUT", "NO_CREDITS", "USER_CLOSED", "AVATAR_DELETED",
        "MAX_DURATION_REACHED", "ZOMBIE_SESSION_REAP", "AGENT_HANG_UP",
    ];

    private int SuccessCode => state.Options.LiveAvatarSuccessCode;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(EmulatorPaths.LiveAvatarToken, TokenAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.LiveAvatarToken));
        routes.MapPost(EmulatorPaths.LiveAvatarStart, StartAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.LiveAvatarStart));
        routes.MapPost(EmulatorPaths.LiveAvatarStop, StopAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.LiveAvatarStop));
        routes.MapPost(EmulatorPaths.LiveAvatarKeepAlive, KeepAliveAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.LiveAvatarKeepAlive));
    }

    private async Task TokenAsync(HttpContext context)
    {
        if (!await RequireApiKeyAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var body = await Wire.ReadObjectAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await Wire.ValidationError(context, "body", "Input should be a valid dictionary", "dict_type").ConfigureAwait(false);
            return;
        }

        var avatarId = Wire.String(body, "avatar_id");
        if (string.IsNullOrEmpty(avatarId))
        {
            await Wire.ValidationError(context, "avatar_id", "Field required", "missing").ConfigureAwait(false);
            return;
        }

        if (!Modes.Contains(Wire.String(body, "mode") ?? "FULL"))
        {
            await Wire.ValidationError(context, "mode", "Input should be 'LITE', 'FULL' or 'CUSTOM'", "enum").ConfigureAwait(false);
            return;
        }

        if (body["video_settings"] is JsonObject video
            && ((video["encoding"] is not null && !Encodings.Contains(Wire.String(video, "encoding")))
                || (video["quality"] is not null && !Qualities.Contains(Wire.String(video, "quality")))))
        {
            await Wire.ValidationError(context, "video_settings", "Input should be a valid video setting", "enum").ConfigureAwait(false);
            return;
        }

        // The schema (422) before the checks against the account (400/404), as FastAPI validates the body first.
        var (roomValid, ownRoom) = await OwnRoomAsync(context, body).ConfigureAwait(false);
        if (!roomValid)
        {
            return;
        }

        var sandbox = body["is_sandbox"] is JsonValue flag && flag.TryGetValue<bool>(out var isSandbox) && isSandbox;
        if (sandbox && avatarId != SandboxAvatarId)
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status400BadRequest, $"Sandbox mode only supports avatar {SandboxAvatarId}").ConfigureAwait(false);
            return;
        }

        if (!sandbox && state.Options.KnownAvatarIds.Count > 0 && !state.Options.KnownAvatarIds.Contains(avatarId))
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status404NotFound, "Avatar not found").ConfigureAwait(false);
            return;
        }

        // With a caller-supplied LiveKit room the avatar joins that room (publishing there), so LiveAvatar has no room
        // URL or user token to hand out, and nobody joins a LiveAvatar room for its media.
        var id = Guid.NewGuid().ToString();
        var realtimeToken = state.NewSecret("emu-rt-");
        var session = new EmulatedSession(EmulatedProduct.LiveAvatar, id, state.Time.GetUtcNow(), body.ToJsonString())
        {
            SessionToken = state.NewSessionToken(id, Wire.String(body, "mode") ?? "FULL", avatarId, sandbox),
            AccessToken = ownRoom is not null ? null : state.NewSecret("emu-at-"),
            AgentToken = state.NewSecret("emu-agent-"),
            RealtimeToken = realtimeToken,
            RealtimeUrl = state.RealtimeUrl(EmulatorPaths.LiveAvatarRealtime, id, realtimeToken),
            LiveKitUrl = ownRoom is not null ? null : EmulatorState.MediaUrl(id),
            LiveKitRoom = ownRoom,
            AvatarId = avatarId,
            IsSandbox = sandbox,
            IdleTimeout = state.Options.IdleRules.LiveAvatarIdleTimeout,
            MaxDuration = TimeSpan.FromSeconds(sandbox ? SandboxMaxSessionSeconds : state.Options.LiveAvatarMaxSessionDurationSeconds),
        };
        state.Open(session);

        await Wire.LiveAvatarOk(context, StatusCodes.Status200OK, SuccessCode, new JsonObject
        {
            ["session_id"] = session.Id,
            ["session_token"] = session.SessionToken,
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>livekit_config</c>, validated as LiveAvatar's schema would (start_session reference: an object of three
    /// strings; FastAPI answers 422 naming a missing or non-string one). Assumed, not verified: blank strings pass the
    /// schema (no length limits are documented), and FULL mode ignores the object (documented) rather than refusing it.
    /// Returns the caller's room name when the avatar is to join it, null for LiveAvatar's own room; writes the 422 and
    /// returns false on an invalid object.
    /// </summary>
    private async Task<(bool Valid, string? Room)> OwnRoomAsync(HttpContext context, JsonObject body)
    {
        JsonNode? node = body["livekit_config"];
        if (node is null)
        {
            return (true, null);
        }

        if (node is not JsonObject config)
        {
            await Wire.ValidationError(context, "livekit_config", "Input should be a valid dictionary", "dict_type").ConfigureAwait(false);
            return (false, null);
        }

        foreach (string field in (string[])["livekit_url", "livekit_room", "livekit_client_token"])
        {
            if (config[field] is not JsonValue value || !value.TryGetValue<string>(out _))
            {
                (string message, string type) = config[field] is null ? ("Field required", "missing") : ("Input should be a valid string", "string_type");
                await Wire.ValidationError(context, "livekit_config." + field, message, type).ConfigureAwait(false);
                return (false, null);
            }
        }

        state.AcceptSecret(Wire.String(config, "livekit_client_token")!);
        return string.Equals(Wire.String(body, "mode") ?? "FULL", "FULL", StringComparison.Ordinal)
            ? (true, null) // FULL mode ignores livekit_config: the avatar goes to LiveAvatar's room
            : (true, Wire.String(config, "livekit_room"));
    }

    private async Task StartAsync(HttpContext context)
    {
        var token = Wire.BearerToken(context);
        var session = token is null ? null : state.Sessions.FindBySessionToken(token);
        if (session is null)
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status401Unauthorized,
                token is null ? "Missing bearer session token" : "Invalid session token").ConfigureAwait(false);
            return;
        }

        if (!session.TryStart(state.Time.GetUtcNow()))
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status400BadRequest, "Session has already ended").ConfigureAwait(false);
            return;
        }

        await Wire.LiveAvatarOk(context, StatusCodes.Status201Created, SuccessCode, new JsonObject
        {
            ["session_id"] = session.Id,
            ["livekit_url"] = session.LiveKitUrl?.AbsoluteUri,
            ["livekit_client_token"] = session.AccessToken,
            ["livekit_agent_token"] = session.AgentToken,
            ["max_session_duration"] = (int)session.MaxDuration.TotalSeconds,
            ["ws_url"] = session.RealtimeUrl.AbsoluteUri,
        }).ConfigureAwait(false);
    }

    private async Task StopAsync(HttpContext context)
    {
        var (session, body) = await SessionForControlCallAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        var reason = body is null ? null : Wire.String(body, "reason");
        if (reason is not null && !StopReasons.Contains(reason))
        {
            await Wire.ValidationError(context, "reason", "Input should be a valid stop reason", "enum").ConfigureAwait(false);
            return;
        }

        if (!session.TryStop(state.Time.GetUtcNow(), reason ?? "UNKNOWN"))
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status400BadRequest, "Session has already ended").ConfigureAwait(false);
            return;
        }

        await Wire.LiveAvatarOk(context, StatusCodes.Status200OK, SuccessCode, data: null).ConfigureAwait(false);
    }

    private async Task KeepAliveAsync(HttpContext context)
    {
        var (session, _) = await SessionForControlCallAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        if (!session.TryKeepAlive(state.Time.GetUtcNow()))
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status400BadRequest, "Session has already ended").ConfigureAwait(false);
            return;
        }

        await Wire.LiveAvatarOk(context, StatusCodes.Status200OK, SuccessCode, data: null).ConfigureAwait(false);
    }

    /// <summary>Stop and keep-alive: the API key plus <c>session_id</c>, or the session's bearer token (then
    /// <c>session_id</c> is optional but must match). Writes the error and returns null on failure.</summary>
    private async Task<(EmulatedSession? Session, JsonObject? Body)> SessionForControlCallAsync(HttpContext context)
    {
        var body = await Wire.ReadObjectAsync(context).ConfigureAwait(false);
        var sessionId = body is null ? null : Wire.String(body, "session_id");
        var apiKey = context.Request.Headers["X-API-KEY"].ToString();
        EmulatedSession? session;
        if (apiKey.Length > 0)
        {
            if (!await RequireApiKeyAsync(context).ConfigureAwait(false))
            {
                return (null, body);
            }

            if (string.IsNullOrEmpty(sessionId))
            {
                await Wire.ValidationError(context, "session_id", "Field required", "missing").ConfigureAwait(false);
                return (null, body);
            }

            session = state.Sessions.Find(sessionId);
        }
        else
        {
            var token = Wire.BearerToken(context);
            session = token is null ? null : state.Sessions.FindBySessionToken(token);
            if (session is null)
            {
                await Wire.LiveAvatarError(context, StatusCodes.Status401Unauthorized, "Missing or invalid credentials").ConfigureAwait(false);
                return (null, body);
            }

            if (!string.IsNullOrEmpty(sessionId) && sessionId != session.Id)
            {
                await Wire.LiveAvatarError(context, StatusCodes.Status403Forbidden, "The session token does not belong to this session").ConfigureAwait(false);
                return (null, body);
            }
        }

        if (session is null || session.Product != EmulatedProduct.LiveAvatar)
        {
            await Wire.LiveAvatarError(context, StatusCodes.Status404NotFound, "Session not found").ConfigureAwait(false);
            return (null, body);
        }

        return (session, body);
    }

    private async Task<bool> RequireApiKeyAsync(HttpContext context)
    {
        var apiKey = context.Request.Headers["X-API-KEY"].ToString();
        if (string.Equals(apiKey, state.Options.LiveAvatarApiKey, StringComparison.Ordinal))
        {
            return true;
        }

        await Wire.LiveAvatarError(context, StatusCodes.Status401Unauthorized, apiKey.Length == 0 ? "Missing API key" : "Invalid API key").ConfigureAwait(false);
        return false;
    }
}
