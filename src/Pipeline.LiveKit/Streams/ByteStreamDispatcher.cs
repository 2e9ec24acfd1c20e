using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipeline.LiveKit.Protocol;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Pipeline.LiveKit;

/// <summary>
/// A room's byte-stream handlers by topic and the readers they are running. A stream nobody handles is released at
/// once (the engine then drops its chunks); each handled stream runs its handler on the thread pool and is released
/// when the handler's task ends, or when the room closes.
/// </summary>
internal sealed partial class ByteStreamDispatcher
{
    private readonly ConcurrentDictionary<string, Func<ByteStreamReader, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly HashSet<ByteStreamReader> _active = [];
    private readonly ILogger _logger;
    private bool _closed;

    public ByteStreamDispatcher(ILogger logger) => _logger = logger;

    public void Register(string topic, Func<ByteStreamReader, Task> handler)
    {
        if (!_handlers.TryAdd(topic, handler))
        {
            throw new InvalidOperationException($"A byte stream handler for topic '{topic}' is already registered. Unregister it first.");
        }
    }

    public void Unregister(string topic) => _handlers.TryRemove(topic, out _);

    /// <summary>Takes an incoming stream (room event task).</summary>
    public void Opened(ByteStreamOpened opened)
    {
        var reader = new ByteStreamReader(opened);
        if (!_handlers.TryGetValue(reader.Info.Topic, out Func<ByteStreamReader, Task>? handler))
        {
            LogUnhandled(reader.Info.Topic, reader.SenderIdentity);
            reader.Release("no handler for its topic");
            return;
        }

        lock (_active)
        {
            if (_closed)
            {
                reader.Release("the room closed");
                return;
            }

            _active.Add(reader);
        }

        reader.Start();
        _ = Task.Run(() => RunAsync(reader, handler), CancellationToken.None);
    }

    /// <summary>Releases every running reader (the room is leaving); their handlers see the stream end.</summary>
    public void Close()
    {
        ByteStreamReader[] active;
        lock (_active)
        {
            _closed = true;
            active = [.. _active];
            _active.Clear();
        }

        foreach (ByteStreamReader reader in active)
        {
            reader.Release("the room closed");
        }
    }

    private async Task RunAsync(ByteStreamReader reader, Func<ByteStreamReader, Task> handler)
    {
        try
        {
            await handler(reader).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogHandlerFailed(e, reader.Info.Topic, reader.SenderIdentity);
        }
        finally
        {
            bool mine;
            lock (_active)
            {
                mine = _active.Remove(reader);
            }

            if (mine)
            {
                reader.Release("its handler returned");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a byte stream on topic {Topic} from {Sender}: no handler is registered for it")]
    private partial void LogUnhandled(string topic, string sender);

    [LoggerMessage(Level = LogLevel.Error, Message = "The byte stream handler for topic {Topic} threw on a stream from {Sender}; the stream is released")]
    private partial void LogHandlerFailed(Exception error, string topic, string sender);
}
