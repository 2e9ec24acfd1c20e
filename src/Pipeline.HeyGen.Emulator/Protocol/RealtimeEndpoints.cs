using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// The realtime websocket paths handed out as <c>realtime_endpoint</c> (Interactive Avatar) and <c>ws_url</c>
/// (LiveAvatar). The upgrade is checked in this order, each refusal an HTTP status before any websocket exists (the
/// statuses are the emulator's choice; HeyGen does not document them):
/// unknown session or another product's path 404; wrong <c>session_token</c> 401; no handler 501; the session's
/// <see cref="SessionFaults.RejectUpgradeWithStatus"/>; session not started 409 (HeyGen code 10005); session stopped or
/// its realtime side closed 410; not a websocket request 400. Faults injected on the endpoint apply before all of these
/// (see <see cref="RequestPipeline"/>). The accepted socket goes to <see cref="HeyGenEmulatorOptions.RealtimeHandler"/>.
/// </summary>
internal sealed class RealtimeEndpoints(EmulatorState state, LiveSessions live)
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
        if (session is null || session.Product != product)
        {
            await Wire.StreamingError(context, StatusCodes.Status404NotFound, Wire.CodeSessionNotFound, "Session does not exist").ConfigureAwait(false);
            return;
        }

        if (token.Length == 0 || !string.Equals(session.RealtimeToken, token, StringComparison.Ordinal))
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

        if (state.Faults.Find(session.Id)?.RejectUpgradeWithStatus is { } rejected)
        {
            context.Response.StatusCode = rejected;
            return;
        }

        if (session.State == EmulatedSessionState.New)
        {
            await Wire.StreamingError(context, StatusCodes.Status409Conflict, Wire.CodeSessionStateWrong, "session state wrong: new").ConfigureAwait(false);
            return;
        }

        if (session.State == EmulatedSessionState.Stopped || live.Find(session.Id)?.IsClosed == true)
        {
            await Wire.StreamingError(context, StatusCodes.Status410Gone, Wire.CodeSessionStateWrong, "session state wrong: closed").ConfigureAwait(false);
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

        // An injected drop aborted the socket: end the TCP connection too, as a network failure would.
        if (socket.State == WebSocketState.Aborted)
        {
            context.Abort();
        }
    }
}
