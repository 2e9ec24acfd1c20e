using Microsoft.Extensions.Logging;

namespace Pipeline.AvatarWorker.Emulator;

/// <summary>
/// The logger factory Kestrel gets: ASP.NET Core's own categories log warnings and errors only (its request logs are
/// noise here), the emulator's categories log as the caller configured.
/// </summary>
internal sealed class WarningsOnlyForFramework(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        ILogger logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? new WarningsOnly(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The factory is the caller's: disposing it is the caller's job.
    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
