using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// The realtime websocket paths handed out as <c>realtime_endpoint</c> (Interactive Avatar) and <c>ws_url</c>
/// (LiveAvatar). The URL's <c>session_id</c> and <c>session_token</c> are checked against the ledger (401), the
/// session must be started (409, HeyGen code 10005), and the socket is then given to the registered
/// <see cref="HeyGenEmulatorOptions.RealtimeHandler"/>; with none registered the path answers 501.
/// </summary>
internal sealed class RealtimeEndpoints(EmulatorState state)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.Map(EmulatorPaths.StreamingRealtime, context => AcceptAsync(context, EmulatedProduct.InteractiveAvatar))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingRealtime));
        routes.Map(EmulatorPaths.LiveAvatarRealtime, context => AcceptAsync(context, EmulatedProduct.LiveAvatar))
            .WithMetadata(new EndpointTag(EmulatorEndpoint.LiveAvatarRealtime));
    }

    private async Task AcceptAsync(HttpContext context, EmulatedProduct product)
    {
        var sessionId = context.Request.Query["session_id"].ToString();
        var token = context.Request.Query["session_token"].ToString();
        var session = state.Sessions.Find(sessionId);
        if (session is null || session.Product != product || token.Length == 0
            || !string.Equals(session.RealtimeToken, token, StringComparison.Ordinal))
        {
            await Wire.StreamingError(context, StatusCodes.Status401Unauthorized, Wire.CodeUnauthorized, "Unauthorized").ConfigureAwait(false);
            return;
        }

        var handler = state.RealtimeHandler;
        if (handler is null)
        {
            await Wire.StreamingError(context, StatusCodes.Status501NotImplemented, StatusCodes.Status501NotImplemented,
                "The emulator has no realtime handler registered").ConfigureAwait(false);
            return;
        }

        if (session.State != EmulatedSessionState.Started)
        {
            await Wire.StreamingError(context, StatusCodes.Status409Conflict, Wire.CodeSessionStateWrong,
                $"session state wrong: {session.State.ToString().ToLowerInvariant()}").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeInvalidParameter, "Expected a websocket upgrade").ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.Stopping);
        await handler(socket, session, ended.Token).ConfigureAwait(false);
    }
}
