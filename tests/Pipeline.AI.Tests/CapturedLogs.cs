using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipeline.AI.Tests;

/// <summary>A logger factory that keeps every log line (level, text and exception) for assertions about what is logged.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();

    public CapturedLogs()
    {
        Factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));
    }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. _lines];

    /// <summary>Lines above debug level (what a production log keeps).</summary>
    public IEnumerable<string> AboveDebug => Lines.Where(l => l.Level > LogLevel.Debug).Select(l => l.Text);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() => Factory.Dispose();

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((logLevel, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception)));
    }
}
