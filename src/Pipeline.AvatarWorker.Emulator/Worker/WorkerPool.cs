using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipeline.AvatarWorker.Emulator.Worker;

/// <summary>
/// The emulator's running workers: started by the session endpoint, found for on-demand drops, and all stopped when the
/// emulator is disposed; once closed it starts no more, so no worker outlives the emulator.
/// </summary>
internal sealed class WorkerPool(AvatarWorkerEmulatorOptions options, AvatarWorkerLedger ledger, AvatarWorkerFaults faults, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, EmulatedAvatarWorker> _workers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _closed;

    /// <summary>Records the session and starts its worker; false once the pool is closed.</summary>
    public bool TryStart(WorkerSessionRecord session, string token)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            ledger.Add(session);
            _workers[session.Id] = new EmulatedAvatarWorker(session, token, options, faults, loggerFactory);
        }

        return true;
    }

    public EmulatedAvatarWorker? Find(string sessionId) => _workers.GetValueOrDefault(sessionId);

    /// <summary>Stops every worker and waits until each has left and released what it held.</summary>
    public async ValueTask DisposeAsync()
    {
        EmulatedAvatarWorker[] workers;
        lock (_gate)
        {
            _closed = true;
            workers = [.. _workers.Values];
        }

        await Task.WhenAll(workers.Select(static w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
