using Microsoft.Extensions.Logging;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Protocol;
using Pipeline.WebSocket.Server;

namespace Pipeline.WebSocket;

/// <summary>
/// The first processor of a pipeline served over a <see cref="WebSocketTransport"/>: it starts the server with the
/// pipeline, pushes the client's microphone downstream as <see cref="InputAudioRawFrame"/>s at the pipeline's input rate
/// (resampled when the client's rate differs), pushes <see cref="WebSocketClientConnectedFrame"/> and
/// <see cref="WebSocketClientDisconnectedFrame"/>, applies the <see cref="ClientDisconnectPolicy"/>, and tells the
/// client about errors that travel upstream to it. Stops the server when the run ends.
/// </summary>
public sealed class WebSocketInputTransport : FrameProcessor
{
    /// <summary>
    /// The <see cref="Frame.Metadata"/> key of an input audio frame's capture time as the client stamped it: a
    /// <see cref="long"/>, microseconds since 1970 on the client's wall clock (absent when the client sent 0).
    /// </summary>
    public const string ClientTimestampKey = "websocket.client_timestamp_us";

    private readonly WebSocketTransport _transport;

    internal WebSocketInputTransport(WebSocketTransport transport)
        : base("WebSocketInput")
    {
        _transport = transport;
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame start:
                _transport.PipelineSampleRate = start.AudioInSampleRate;
                await _transport.StartAsync(cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                _ = StartBackgroundTask("websocket-input", ReadClientsAsync);
                return;
            case ErrorFrame error when direction == FrameDirection.Upstream:
                // Errors carry no secrets by contract, so the person at the page may see them.
                _transport.Server.Joined?.Enqueue(new ErrorEvent(error.Message, error.IsFatal));
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync() => await _transport.StopAsync().ConfigureAwait(false);

    private async Task ReadClientsAsync(CancellationToken cancellationToken)
    {
        StreamingResampler? resampler = null;
        try
        {
            await foreach (InboundEvent inbound in _transport.Server.Inbound.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (inbound)
                {
                    case ClientJoined joined:
                        resampler?.Dispose();
                        resampler = null;
                        await PushFrameAsync(new WebSocketClientConnectedFrame(joined.Session.Id, joined.Session.InputFormat!.SampleRate), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
                        break;
                    case ClientAudio audio:
                        InputAudioRawFrame frame;
                        try
                        {
                            frame = ToPipelineRate(audio, ref resampler);
                            if (audio.TimestampMicroseconds != 0)
                            {
                                frame.Metadata[ClientTimestampKey] = audio.TimestampMicroseconds;
                            }
                        }
                        finally
                        {
                            audio.Release();
                        }

                        await PushFrameAsync(frame, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
                        break;
                    case ClientLeft left when await OnClientLeftAsync(left, cancellationToken).ConfigureAwait(false):
                        return;
                }
            }
        }
        finally
        {
            resampler?.Dispose();
        }
    }

    private InputAudioRawFrame ToPipelineRate(ClientAudio audio, ref StreamingResampler? resampler)
    {
        int rate = _transport.PipelineSampleRate;
        if (audio.SampleRate == rate)
        {
            return new InputAudioRawFrame(audio.Pcm.ToArray(), rate, 1);
        }

        if (resampler is null || resampler.InputRate != audio.SampleRate || resampler.OutputRate != rate)
        {
            resampler?.Dispose();
            resampler = new StreamingResampler(audio.SampleRate, rate);
        }

        return new InputAudioRawFrame(resampler.Resample(audio.Pcm), rate, 1);
    }

    /// <returns>True when the pipeline ends (no more clients are read).</returns>
    private async ValueTask<bool> OnClientLeftAsync(ClientLeft left, CancellationToken cancellationToken)
    {
        CloseRequest? close = left.Close;
        string reason = close?.Reason ?? "the client went away";
        await PushFrameAsync(new WebSocketClientDisconnectedFrame(left.Session.Id, reason, close?.IsClientError ?? false), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
        if (InterruptionsAllowed)
        {
            // Nobody hears the rest of the bot's turn: drop it (and an avatar stops speaking it).
            await PushFrameAsync(new InterruptionFrame(), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
        }

        if (_transport.Options.DisconnectPolicy != ClientDisconnectPolicy.EndPipeline)
        {
            Logger.LogInformation("{Processor}: the client left ({Reason}); waiting for a new one", Name, reason);
            return false;
        }

        _transport.Server.StopAccepting("the conversation has ended (its client left): start the bot again to talk");
        Logger.LogInformation("{Processor}: the client left ({Reason}); ending the pipeline", Name, reason);
        await PushFrameAsync(new EndFrame { Reason = $"the WebSocket client left: {reason}" }, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
