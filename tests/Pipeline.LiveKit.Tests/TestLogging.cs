using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Every log record of the test process, the engine's included. The engine is process-wide, so it is initialised
/// once, here, with this logger.
/// </summary>
internal static class TestLogging
{
    public static readonly CollectingLoggerProvider Provider = new();

    public static readonly ILoggerFactory Factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(Provider));

#pragma warning disable CA2255 // The engine must be configured before any test touches it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InitializeRuntime() => LiveKitRuntime.Initialize(new LiveKitRuntimeOptions { LoggerFactory = Factory, SdkName = "dotnet-tests" });
}

internal sealed record LogEntry(string Category, LogLevel Level, string Message);

internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ConcurrentBag<(Func<LogEntry, bool> Match, TaskCompletionSource<LogEntry> Found)> _waiters = [];

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    /// <summary>Completes with the first record (past or future) that matches.</summary>
    public Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match)
    {
        var found = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((match, found));
        foreach (LogEntry entry in _entries)
        {
            if (match(entry))
            {
                found.TrySetResult(entry);
            }
        }

        return found.Task;
    }

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        foreach ((Func<LogEntry, bool> match, TaskCompletionSource<LogEntry> found) in _waiters)
        {
            if (!found.Task.IsCompleted && match(entry))
            {
                found.TrySetResult(entry);
            }
        }
    }

    private sealed class Collector(CollectingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogEntry(category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
