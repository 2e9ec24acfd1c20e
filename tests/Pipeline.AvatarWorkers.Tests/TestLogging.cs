using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>The test process's logging; the engine is process-wide, so it is initialised once, here.</summary>
internal static class TestLogging
{
    public static readonly ILoggerFactory Factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information));

#pragma warning disable CA2255 // The engine must be configured before any test touches it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InitializeRuntime() => Pipeline.LiveKit.LiveKitRuntime.Initialize(new Pipeline.LiveKit.LiveKitRuntimeOptions { LoggerFactory = Factory, SdkName = "dotnet-tests" });
}
