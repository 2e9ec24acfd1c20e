using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// The service's events on their way in: each message is parsed (<see cref="RealtimeInbox"/>), applied to the
/// readiness, the session's lifecycle and the utterances, then published to the one reader
/// (<see cref="ReadAllAsync"/>, bounded, oldest dropped first) and to the client's <c>EventReceived</c> handler.
/// </summary>
internal sealed class RealtimeEventFeed
{
    private readonly RealtimeInbox _inbox;
    private readonly RealtimeReadiness _readiness;
    private readonly UtteranceBook _utterances;
    private readonly RealtimeClientState _state;
    private readonly Action<RealtimeServerEvent> _received;
    private readonly Channel<RealtimeServerEvent> _events;

    public RealtimeEventFeed(
        RealtimeInbox inbox, RealtimeReadiness readiness, UtteranceBook utterances, RealtimeClientState state,
        Action<RealtimeServerEvent> received, int capacity, ILogger logger)
    {
        _inbox = inbox;
        _readiness = readiness;
        _utterances = utterances;
        _state = state;
        _received = received;
        _events = Channel.CreateBounded<RealtimeServerEvent>(
            new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest },
            dropped => RealtimeLog.EventDropped(logger, dropped.Type));
    }

    /// <summary>One text message from the receive loop.</summary>
    public void OnMessage(ReadOnlyMemory<byte> utf8)
    {
        if (_inbox.Read(utf8) is not { } serverEvent) return;
        switch (serverEvent)
        {
            case SessionStateUpdatedEvent { State: AvatarSessionState.Connected }:
                _readiness.OnConnected();
                break;
            case SessionStateUpdatedEvent { State: AvatarSessionState.Closing or AvatarSessionState.Closed }:
                _state.MarkSessionEnding();
                break;
        }

        _utterances.OnServerEvent(serverEvent);
        _events.Writer.TryWrite(serverEvent);
        _received(serverEvent);
    }

    /// <summary>The events in arrival order, for one reader.</summary>
    public IAsyncEnumerable<RealtimeServerEvent> ReadAllAsync(CancellationToken cancellationToken) => _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Ends the reader's sequence: normally, or with the failure that ended the client.</summary>
    public void Complete(Exception? error) => _events.Writer.TryComplete(error);
}
