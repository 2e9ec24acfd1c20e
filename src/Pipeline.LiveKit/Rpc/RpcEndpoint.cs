using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Pipeline.LiveKit;

/// <summary>
/// The RPC side of a local participant: the registered method handlers, the engine's invocation events (routed here
/// by the participant's handle) and outgoing calls. Every invocation is answered exactly once, because the engine
/// keeps a waiter per invocation until it is: a handler that throws sends an error, one that overruns the caller's
/// timeout is cancelled and sends a timeout error.
/// </summary>
internal sealed partial class RpcEndpoint : IFfiEventSink
{
    /// <summary>LiveKit's limit on request and response payloads (UTF-8 bytes).</summary>
    internal const int MaxPayloadBytes = 15 * 1024;

    private readonly ConcurrentDictionary<string, Func<RpcInvocation, Task<string>>> _handlers = new(StringComparer.Ordinal);
    private readonly Func<ulong> _handleId;
    private readonly CancellationToken _closing;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RpcEndpoint(Func<ulong> handleId, TimeProvider timeProvider, ILogger logger, CancellationToken closing)
    {
        _handleId = handleId;
        _closing = closing;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public void Register(string method, Func<RpcInvocation, Task<string>> handler)
    {
        ulong handle = _handleId();
        if (!_handlers.TryAdd(method, handler))
        {
            throw new InvalidOperationException($"An RPC handler for '{method}' is already registered. Unregister it first.");
        }

        try
        {
            FfiClient.Instance.Request(new FfiRequest { RegisterRpcMethod = new RegisterRpcMethodRequest { LocalParticipantHandle = handle, Method = method } });
        }
        catch
        {
            _handlers.TryRemove(method, out _);
            throw;
        }
    }

    public void Unregister(string method)
    {
        if (_handlers.TryRemove(method, out _))
        {
            FfiClient.Instance.Request(new FfiRequest { UnregisterRpcMethod = new UnregisterRpcMethodRequest { LocalParticipantHandle = _handleId(), Method = method } });
        }
    }

    public async Task<string> PerformAsync(string destinationIdentity, string method, string payload, TimeSpan responseTimeout, CancellationToken cancellationToken)
    {
        FfiClient client = FfiClient.Instance;
        ulong asyncId = client.Request(new FfiRequest
        {
            PerformRpc = new PerformRpcRequest
            {
                LocalParticipantHandle = _handleId(),
                DestinationIdentity = destinationIdentity,
                Method = method,
                Payload = payload,
                ResponseTimeoutMs = (uint)responseTimeout.TotalMilliseconds,
            },
        }).PerformRpc.AsyncId;

        // The engine bounds the call itself (7 s for the acknowledgement, then the response timeout) and always
        // answers; waiting is cancelled only by the caller or by the room closing.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing);
        FfiEvent done;
        try
        {
            done = await client.WaitForCallbackAsync(asyncId, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(Room), $"The room was closed while calling '{method}' on {destinationIdentity}.");
        }

        PerformRpcCallback callback = done.PerformRpc;
        if (callback.Error is { } error)
        {
            throw new LiveKitRpcException((int)error.Code, error.Message, error.HasData ? error.Data : null);
        }

        return callback.Payload;
    }

    void IFfiEventSink.Post(FfiEvent ffiEvent)
    {
        if (ffiEvent.MessageCase == FfiEvent.MessageOneofCase.RpcMethodInvocation)
        {
            // Off the callback thread at once: the handler is user code and may take its time.
            RpcMethodInvocationEvent invocation = ffiEvent.RpcMethodInvocation;
            _ = Task.Run(() => InvokeAsync(invocation), CancellationToken.None);
        }
        else
        {
            FfiEventHandles.Release(ffiEvent);
        }
    }

    private async Task InvokeAsync(RpcMethodInvocationEvent invocation)
    {
        var timeout = TimeSpan.FromMilliseconds(invocation.ResponseTimeoutMs);
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _closing);
        RpcMethodInvocationResponseRequest response = new() { InvocationId = invocation.InvocationId };
        try
        {
            if (!_handlers.TryGetValue(invocation.Method, out Func<RpcInvocation, Task<string>>? handler))
            {
                // Unregistered between the engine's dispatch and now.
                response.Error = Error(RpcErrorCodes.UnsupportedMethod, "Method not supported at destination");
            }
            else
            {
                var call = new RpcInvocation(invocation.RequestId, invocation.CallerIdentity, invocation.Method, invocation.Payload, timeout, linked.Token);
                string answer = await handler(call).WaitAsync(linked.Token).ConfigureAwait(false) ?? "";
                if (System.Text.Encoding.UTF8.GetByteCount(answer) > MaxPayloadBytes)
                {
                    response.Error = Error(RpcErrorCodes.ResponsePayloadTooLarge, "Response payload too large");
                }
                else
                {
                    response.Payload = answer;
                }
            }
        }
        catch (LiveKitRpcException e)
        {
            response.Error = Error(e.Code, e.RpcMessage, e.ErrorData);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            response.Error = Error(RpcErrorCodes.ResponseTimeout, "Response timeout");
        }
        catch (Exception e)
        {
            // The exception's text stays in our log: it may hold details the caller should not see.
            LogHandlerFailed(e, invocation.Method, invocation.CallerIdentity);
            response.Error = Error(RpcErrorCodes.ApplicationError, "Application error in method handler");
        }

        Respond(response, invocation.Method);
    }

    private void Respond(RpcMethodInvocationResponseRequest response, string method)
    {
        if (_closing.IsCancellationRequested)
        {
            return; // the participant handle is gone, and the engine's waiters with the room
        }

        try
        {
            response.LocalParticipantHandle = _handleId();
            RpcMethodInvocationResponseResponse answer = FfiClient.Instance.Request(new FfiRequest { RpcMethodInvocationResponse = response }).RpcMethodInvocationResponse;
            if (answer.HasError)
            {
                LogResponseRejected(method, answer.Error);
            }
        }
        catch (Exception e) when (e is LiveKitException or ObjectDisposedException)
        {
            LogResponseRejected(method, e.Message);
        }
    }

    private static RpcError Error(int code, string message, string? data = null)
    {
        var error = new RpcError { Code = (uint)code, Message = message };
        if (data is not null)
        {
            error.Data = data;
        }

        return error;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The RPC handler for {Method} called by {Caller} threw; the caller gets an application error")]
    private partial void LogHandlerFailed(Exception error, string method, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The answer to the RPC call of {Method} could not be sent: {Reason}")]
    private partial void LogResponseRejected(string method, string reason);
}
