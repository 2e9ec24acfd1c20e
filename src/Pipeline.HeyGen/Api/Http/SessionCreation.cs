using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Sends the calls that open a billed session (<c>streaming.new</c>, <c>sessions/token</c>) so that none is ever
/// abandoned while its answer can still come: the one mechanism both REST clients create sessions through.
/// </summary>
/// <remarks>
/// <para>Only the answer names the session the service opened, so the request is not aborted when the caller
/// cancels or the attempt timeout (<see cref="AvatarApiOptions.AttemptTimeout"/>) passes. The caller's wait ends
/// then, and the request is awaited for up to <see cref="AvatarApiOptions.CleanupTimeout"/> more; a session its
/// late answer names is closed. Only when that budget ends too is the request aborted, and the error (or, for a
/// cancelled caller, an error log) names the risk: a session may be open and billed, and how to find it.</para>
/// <para>The request's task is always awaited to its end, so its failure is never an unobserved task exception.</para>
/// </remarks>
internal sealed class SessionCreation(AvatarApiTransport transport, string leakAdvice)
{
    private readonly ILogger _logger = transport.Logger;

    private string Service => transport.ServiceName;

    /// <summary>Sends a creating call and parses its answer.</summary>
    /// <typeparam name="T">What the answer is parsed into.</typeparam>
    /// <param name="call">The call (<see cref="AvatarApiCall.Creates"/> must be set).</param>
    /// <param name="parse">Parses a successful answer; a <see cref="HeyGenApiException"/> from it closes the session
    /// the answer names, if any, before it surfaces.</param>
    /// <param name="createdSessionId">Finds the id of the session an answer says was opened.</param>
    /// <param name="closeAsync">Closes a session this call opened but the caller will never get; returns whether it
    /// closed. Must not throw.</param>
    /// <param name="cancellationToken">Ends the caller's wait (not the request: see the remarks).</param>
    /// <returns>The parsed answer.</returns>
    /// <exception cref="HeyGenApiException">The call failed, or no answer came within the attempt timeout (the
    /// message says whether a session may have been left open).</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; a session the late answer named was closed.</exception>
    public async Task<T> SendAsync<T>(
        AvatarApiCall call,
        Func<ApiResult, T> parse,
        Func<JsonElement?, string?> createdSessionId,
        Func<string, Task<bool>> closeAsync,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var abort = new CancellationTokenSource();
        Task<ApiResult> send = transport.SendAsync(call, abort.Token);
        ApiResult result;
        try
        {
            var attemptTimeout = transport.Options.AttemptTimeout;
            result = attemptTimeout == Timeout.InfiniteTimeSpan
                ? await send.WaitAsync(cancellationToken).ConfigureAwait(false)
                : await send.WaitAsync(attemptTimeout, transport.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var late = await AwaitLateAnswerAsync(send, abort, createdSessionId, closeAsync).ConfigureAwait(false);
            var text = $"{Service} {call.Operation} failed: no answer within the attempt timeout " +
                $"({transport.Options.AttemptTimeout.TotalMilliseconds:0} ms); {late.Text}";
            var error = new HeyGenApiException(SecretRedactor.Redact(text, []), 0, string.Empty, null, call.Operation, late.Failure);
            ApiLog.CallFailed(_logger, error.Message);
            throw error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var late = await AwaitLateAnswerAsync(send, abort, createdSessionId, closeAsync).ConfigureAwait(false);
            var text = SecretRedactor.Redact($"{Service} {call.Operation} was cancelled by the caller while the service was answering; {late.Text}", []);
            if (late.MayHaveLeaked)
            {
                ApiLog.CreateMayHaveLeaked(_logger, text);
            }
            else
            {
                ApiLog.CancelledCreateSettled(_logger, text);
            }

            throw;
        }

        try
        {
            return parse(result);
        }
        catch (HeyGenApiException) when (createdSessionId(result.Data) is { } createdId)
        {
            // The service did open a session, its answer just did not describe it fully: do not leave it running.
            await closeAsync(createdId).ConfigureAwait(false);
            throw;
        }
    }

    // Awaits the abandoned request within the cleanup budget, closes the session its answer names, and says what
    // happened. Whatever the outcome, the request's task has ended (and been observed) when this returns.
    private async Task<LateAnswer> AwaitLateAnswerAsync(
        Task<ApiResult> send,
        CancellationTokenSource abort,
        Func<JsonElement?, string?> createdSessionId,
        Func<string, Task<bool>> closeAsync)
    {
        var budget = transport.Options.CleanupTimeout;
        ApiResult answer;
        using (var cleanup = new CancellationTokenSource(budget, transport.TimeProvider))
        using (cleanup.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), abort))
        {
            try
            {
                answer = await send.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return new LateAnswer(
                    $"no answer within the cleanup budget ({budget.TotalMilliseconds:0} ms) after it either, so the request was abandoned: " +
                    $"the service may have opened a session that stays billed until it times out. {leakAdvice}",
                    MayHaveLeaked: true,
                    Failure: null);
            }
            catch (HeyGenApiException ex)
            {
                return new LateAnswer($"its late answer was an error, so no session was opened: {ex.Message}", MayHaveLeaked: false, ex);
            }
            catch (Exception ex)
            {
                // Not an answer (the client was disposed meanwhile, say): whether a session was opened is unknown.
                return new LateAnswer($"waiting for its answer failed ({ex.GetType().Name}): the service may have opened a session that " +
                    $"stays billed until it times out. {leakAdvice}", MayHaveLeaked: true, ex);
            }
        }

        if (answer.Data is { } data)
        {
            SecretRedactor.RegisterSecretsIn(data);
        }

        if (createdSessionId(answer.Data) is not { } id)
        {
            return new LateAnswer("its late answer named no session.", MayHaveLeaked: false, Failure: null);
        }

        ApiLog.LateAnswerOpenedSession(_logger, Service, id);
        return await closeAsync(id).ConfigureAwait(false)
            ? new LateAnswer($"its late answer opened session {id}, which was closed.", MayHaveLeaked: false, Failure: null)
            : new LateAnswer($"its late answer opened session {id}, which could not be closed and may stay billed until it times out. {leakAdvice}",
                MayHaveLeaked: true, Failure: null);
    }

    /// <summary>The <c>session_id</c> of an answer's <c>data</c>, if it has one.</summary>
    internal static string? SessionIdIn(JsonElement? data) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("session_id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    private sealed record LateAnswer(string Text, bool MayHaveLeaked, Exception? Failure);
}
