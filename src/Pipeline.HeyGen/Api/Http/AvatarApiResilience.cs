using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Builds the Polly pipelines the transport runs calls through: a per-attempt timeout for every call, and around it,
/// for retryable calls only, exponential-backoff retries of transient failures that honour <c>Retry-After</c>.
/// All waiting goes through the given <see cref="TimeProvider"/>, so tests control time.
/// </summary>
internal static class AvatarApiResilience
{
    internal static readonly ResiliencePropertyKey<string> OperationKey = new("Pipeline.HeyGen.Operation");

    /// <summary>When a stop's retries must end (a <see cref="TimeProvider"/> timestamp), set per call.</summary>
    internal static readonly ResiliencePropertyKey<long> DeadlineKey = new("Pipeline.HeyGen.Deadline");

    /// <summary>After the configured fast retries, a stop is retried at least this far apart until its budget ends,
    /// so a failing server is not hammered (and a zero <see cref="AvatarApiRetryOptions.BaseDelay"/> cannot spin).</summary>
    internal static readonly TimeSpan SlowCloseRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The pipeline of creating calls: nothing. They are sent once, and <see cref="SessionCreation"/> owns
    /// their timing, because aborting one on a timeout would lose the answer that names the session it opened.</summary>
    public static ResiliencePipeline<HttpResponseMessage> BuildCreating() => ResiliencePipeline<HttpResponseMessage>.Empty;

    /// <summary>
    /// The pipeline of stops: transient failures are retried with exponential backoff (honouring <c>Retry-After</c>)
    /// until the call's deadline (<see cref="DeadlineKey"/>), each attempt under the attempt timeout. A stop that
    /// gives up early leaves a billed session open, so its budget is time, not a count.
    /// </summary>
    public static ResiliencePipeline<HttpResponseMessage> BuildClosing(AvatarApiOptions options, TimeProvider timeProvider, ILogger logger, string serviceName)
    {
        var retry = options.Retry;
        if (retry.MaxRetryAttempts == 0)
        {
            return BuildSingleAttempt(options, timeProvider);
        }

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = int.MaxValue,
            ShouldHandle = args => ValueTask.FromResult(
                BeforeDeadline(args.Context, timeProvider) && ShouldRetry(args.Outcome, args.Context, retry, timeProvider)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(CloseRetryDelay(args.AttemptNumber, args.Outcome, args.Context, retry, timeProvider)),
            OnRetry = args =>
            {
                var operation = args.Context.Properties.GetValue(OperationKey, "request");
                var reason = args.Outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                ApiLog.Retrying(logger, serviceName, operation, args.AttemptNumber + 1, reason, (long)args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        });
        AddAttemptTimeout(builder, options);
        return builder.Build();
    }

    public static ResiliencePipeline<HttpResponseMessage> BuildSingleAttempt(AvatarApiOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        AddAttemptTimeout(builder, options);
        return builder.Build();
    }

    public static ResiliencePipeline<HttpResponseMessage> BuildRetrying(AvatarApiOptions options, TimeProvider timeProvider, ILogger logger, string serviceName)
    {
        var retry = options.Retry;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (retry.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = retry.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                UseJitter = retry.UseJitter,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, retry, timeProvider)),
                DelayGenerator = args => ValueTask.FromResult(
                    retry.RespectRetryAfter && args.Outcome.Result is { } response ? RetryAfter(response, timeProvider) : null),
                OnRetry = args =>
                {
                    var operation = args.Context.Properties.GetValue(OperationKey, "request");
                    var reason = args.Outcome.Exception is { } ex
                        ? ex.GetType().Name
                        : $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                    ApiLog.Retrying(logger, serviceName, operation, args.AttemptNumber + 1, reason, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        AddAttemptTimeout(builder, options);
        return builder.Build();
    }

    /// <summary>HTTP statuses worth another attempt: 408, 429 and 5xx except 501 (not implemented) and 505.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not HttpStatusCode.NotImplemented and not HttpStatusCode.HttpVersionNotSupported);

    /// <summary>The wait a <c>Retry-After</c> header asks for (delta seconds or an HTTP date), if any.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static bool BeforeDeadline(ResilienceContext context, TimeProvider timeProvider) =>
        !context.Properties.TryGetValue(DeadlineKey, out var deadline) || timeProvider.GetTimestamp() < deadline;

    // Exponential from BaseDelay for the configured retries, then at least SlowCloseRetryDelay apart; never past the
    // deadline, so the last attempt happens just before the budget ends rather than not at all.
    private static TimeSpan CloseRetryDelay(int attempt, Outcome<HttpResponseMessage> outcome, ResilienceContext context, AvatarApiRetryOptions retry, TimeProvider timeProvider)
    {
        var exponent = Math.Min(attempt, 20);
        var delay = TimeSpan.FromTicks(Math.Min(retry.MaxDelay.Ticks, retry.BaseDelay.Ticks * (1L << exponent)));
        if (retry.UseJitter && delay > TimeSpan.Zero)
        {
            // Equal jitter: between half and all of the delay.
            delay = TimeSpan.FromTicks((delay.Ticks / 2) + Random.Shared.NextInt64((delay.Ticks / 2) + 1));
        }

        if (attempt >= retry.MaxRetryAttempts && delay < SlowCloseRetryDelay)
        {
            delay = SlowCloseRetryDelay;
        }

        if (retry.RespectRetryAfter && outcome.Result is { } response && RetryAfter(response, timeProvider) is { } asked)
        {
            delay = asked;
        }

        if (context.Properties.TryGetValue(DeadlineKey, out var deadline))
        {
            var left = TimeSpan.FromTicks((long)((deadline - timeProvider.GetTimestamp()) * ((double)TimeSpan.TicksPerSecond / timeProvider.TimestampFrequency)));
            delay = left < delay ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : delay;
        }

        return delay;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, AvatarApiRetryOptions retry, TimeProvider timeProvider)
    {
        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                TimeoutRejectedException => true,
                HttpRequestException => true,
                IOException => true,

                // HttpClient's own Timeout surfaces as a cancellation the caller did not ask for.
                OperationCanceledException => !context.CancellationToken.IsCancellationRequested,
                _ => false,
            };
        }

        var response = outcome.Result!;
        if (!IsTransient(response.StatusCode))
        {
            return false;
        }

        // A server asking for a longer pause than we are willing to wait gets the error back instead.
        return !retry.RespectRetryAfter || RetryAfter(response, timeProvider) is not { } wait || wait <= retry.MaxRetryAfter;
    }

    private static void AddAttemptTimeout(ResiliencePipelineBuilder<HttpResponseMessage> builder, AvatarApiOptions options)
    {
        if (options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.AttemptTimeout);
        }
    }
}
