using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipeline.LiveKit.Protocol;
using NativeLevel = Pipeline.LiveKit.Protocol.LogLevel;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// Writes the engine's log records (captured at trace level, batched every second) to an <see cref="ILogger"/>,
/// filtered by the logger's levels, with every registered secret (access tokens) replaced by <c>***</c>.
/// </summary>
internal sealed class NativeLogRouter(ILogger logger)
{
    private readonly ConcurrentDictionary<string, int> _secrets = new(StringComparer.Ordinal);
    private readonly Func<int, bool> _wanted = level => level == (int)NativeLevel.LogError || logger.IsEnabled(Map((NativeLevel)level));
    private volatile string? _lastError;

    /// <summary>The most recent error record, redacted: the only place the engine explains a rejected request.</summary>
    public string? LastError => _lastError;

    /// <summary>Redacts <paramref name="secret"/> from every record written until <see cref="ForgetSecret"/>.</summary>
    public void AddSecret(string secret) => _secrets.AddOrUpdate(secret, 1, static (_, users) => users + 1);

    /// <summary>Stops redacting a secret once no room uses it any more (two rooms may share a token).</summary>
    public void ForgetSecret(string secret)
    {
        while (_secrets.TryGetValue(secret, out int users))
        {
            bool updated = users <= 1
                ? _secrets.TryRemove(new KeyValuePair<string, int>(secret, users))
                : _secrets.TryUpdate(secret, users - 1, users);
            if (updated)
            {
                return;
            }
        }
    }

    /// <summary>Whether a serialized batch holds a record that <see cref="Write"/> would write (errors always are).</summary>
    public bool WantsAny(ReadOnlySpan<byte> batch) => ProtoWireReader.AnyLogRecord(batch, _wanted);

    /// <summary>Writes one batch (callback thread).</summary>
    public void Write(LogBatch batch)
    {
        foreach (LogRecord record in batch.Records)
        {
            Microsoft.Extensions.Logging.LogLevel level = Map(record.Level);
            bool isError = level == Microsoft.Extensions.Logging.LogLevel.Error;
            if (!isError && !logger.IsEnabled(level))
            {
                continue;
            }

            string message = Redact(record.Message);
            if (isError)
            {
                _lastError = message;
            }

            logger.Log(level, "[{Target}] {Message}", record.Target, message);
        }
    }

    /// <summary>Replaces every registered secret in <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        foreach (string secret in _secrets.Keys)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static Microsoft.Extensions.Logging.LogLevel Map(NativeLevel level) => level switch
    {
        NativeLevel.LogError => Microsoft.Extensions.Logging.LogLevel.Error,
        NativeLevel.LogWarn => Microsoft.Extensions.Logging.LogLevel.Warning,
        NativeLevel.LogInfo => Microsoft.Extensions.Logging.LogLevel.Information,
        NativeLevel.LogDebug => Microsoft.Extensions.Logging.LogLevel.Debug,
        _ => Microsoft.Extensions.Logging.LogLevel.Trace,
    };
}
