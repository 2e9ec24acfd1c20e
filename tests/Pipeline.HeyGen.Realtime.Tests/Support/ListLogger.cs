using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Realtime.Tests.Support;

/// <summary>Collects formatted log lines (with exception text) so tests can check what reaches the logs.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock) return [.. _lines];
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock) _lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}
