namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// The realtime client's lifecycle: NotConnected → Connecting → Connected ⇄ Reconnecting → Closed or Faulted, and
/// the reason it became terminal (the one source of "may this call go on").
/// </summary>
internal sealed class RealtimeClientState
{
    private int _state;
    private volatile Exception? _terminal;
    private volatile bool _closeRequested;
    private volatile bool _sessionEnding;

    /// <summary>The current state.</summary>
    public RealtimeConnectionState Current => (RealtimeConnectionState)Volatile.Read(ref _state);

    /// <summary>Why the client ended (closed or faulted); null while it is usable.</summary>
    public Exception? Terminal => _terminal;

    /// <summary>Whether the client ended.</summary>
    public bool IsTerminal => _terminal is not null;

    /// <summary>Whether CloseAsync was called: a socket closing now is expected, not a drop to reconnect from.</summary>
    public bool CloseRequested => _closeRequested;

    /// <summary>Whether the service said the session is closing: its socket closing is the end, not a drop.</summary>
    public bool SessionEnding => _sessionEnding;

    /// <summary>Records that CloseAsync was called.</summary>
    public void RequestClose() => _closeRequested = true;

    /// <summary>Records <c>session.state_updated: closing/closed</c>.</summary>
    public void MarkSessionEnding() => _sessionEnding = true;

    /// <summary>Moves NotConnected → Connecting; false when a connect already ran (or the client ended).</summary>
    public bool TryBeginConnect() =>
        Interlocked.CompareExchange(ref _state, (int)RealtimeConnectionState.Connecting, (int)RealtimeConnectionState.NotConnected)
            == (int)RealtimeConnectionState.NotConnected;

    /// <summary>A connect failed: the client may connect again.</summary>
    public void ConnectFailed() => Volatile.Write(ref _state, (int)RealtimeConnectionState.NotConnected);

    /// <summary>The socket is open (first connect or after a reconnect).</summary>
    public void Connected() => Volatile.Write(ref _state, (int)RealtimeConnectionState.Connected);

    /// <summary>The socket dropped and the supervisor is reconnecting.</summary>
    public void Reconnecting() => Volatile.Write(ref _state, (int)RealtimeConnectionState.Reconnecting);

    /// <summary>Makes the client terminal, once; false when it already was (the first reason stays).</summary>
    public bool TryEnd(Exception reason, bool faulted)
    {
        if (Interlocked.CompareExchange(ref _terminal, reason, null) is not null) return false;
        Volatile.Write(ref _state, (int)(faulted ? RealtimeConnectionState.Faulted : RealtimeConnectionState.Closed));
        return true;
    }

    /// <summary>Throws when the client cannot take a call: a copy of the failure that ended it, closed, or not connected yet.</summary>
    public void ThrowIfUnusable()
    {
        switch (_terminal)
        {
            case HeyGenRealtimeException failure:
                throw new HeyGenRealtimeException(failure.Failure, failure.Message, failure.HttpStatusCode, failure.InnerException);
            case not null:
                throw new ObjectDisposedException(nameof(HeyGenRealtimeClient), "The HeyGen realtime client is closed.");
        }

        if (Current is RealtimeConnectionState.NotConnected or RealtimeConnectionState.Connecting)
            throw new InvalidOperationException("Call ConnectAsync first.");
    }
}
