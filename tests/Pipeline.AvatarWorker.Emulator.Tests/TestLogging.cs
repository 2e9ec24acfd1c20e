using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipeline.LiveKit;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>Every log record of the test process (the engine's included), so tests can prove no token was logged.</summary>
internal static class TestLogging
{
    public static readonly CollectingLoggerProvider Provider = new();

    public static readonly ILoggerFactory Factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(Provider));

#pragma warning disable CA2255 // The engine must be configured before any test touches it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InitializeRuntime() => LiveKitRuntime.Initialize(new LiveKitRuntimeOptions { LoggerFactory = Factory, SdkName = "dotnet-tests" });
}

internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => new Collector(this);

    public void Dispose()
    {
    }

    private sealed class Collector(CollectingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._messages.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
    }
}
