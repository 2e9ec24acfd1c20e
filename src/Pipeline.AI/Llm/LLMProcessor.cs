using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.AI.Llm;

/// <summary>
/// Answers the user with any <see cref="IChatClient"/>: final <see cref="TranscriptionFrame"/>s become the user's
/// turn in <see cref="Context"/> (and pass on downstream, for transports that caption the user), and the streamed reply
/// goes downstream as <see cref="LLMFullResponseStartFrame"/>, <see cref="LLMTextFrame"/>s and
/// <see cref="LLMFullResponseEndFrame"/>.
/// </summary>
/// <remarks>
/// <para>
/// A turn is answered when its final transcription arrives while the user is silent, or at the
/// <see cref="UserStoppedSpeakingFrame"/> that follows transcriptions that arrived while the user was speaking.
/// </para>
/// <para>
/// The bot's side of the conversation is what it actually said: put the <see cref="AssistantContextAggregator"/> from
/// <see cref="CreateAssistantAggregator"/> after the text-to-speech processor. An <see cref="InterruptionFrame"/>
/// cancels the request in flight at once (the client's token is cancelled and the reader released even if the client
/// ignores it). Tools in <see cref="LLMProcessorOptions.ChatOptions"/> are called through
/// <see cref="FunctionInvokingChatClient"/>. A failing call, or one that makes no progress for
/// <see cref="LLMProcessorOptions.ResponseTimeout"/>, becomes an <see cref="ErrorFrame"/> naming the provider and the
/// call, and the response is closed with an <see cref="LLMFullResponseEndFrame"/>.
/// </para>
/// <para>Logs never contain prompt or reply text above debug level.</para>
/// </remarks>
public sealed class LLMProcessor : FrameProcessor
{
    private const string CallName = "GetStreamingResponseAsync";

    private readonly IChatClient _innerClient;
    private readonly LLMProcessorOptions _options;
    private readonly StringBuilder _pendingUserText = new();
    private IChatClient _client;
    private bool _userSpeaking;

    /// <summary>Creates an LLM processor.</summary>
    /// <param name="client">The chat client (not disposed by the processor).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="context">The conversation to continue; a new one with the options' system prompt when null.</param>
    /// <param name="name">Name for logs.</param>
    public LLMProcessor(IChatClient client, LLMProcessorOptions? options = null, ChatContext? context = null, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new LLMProcessorOptions();
        _options.Validate();
        _innerClient = client;
        _client = client;
        ProviderName = ProviderCall.NameOf(client);
        Context = context ?? new ChatContext(_options.SystemPrompt);
    }

    /// <summary>The conversation sent with every request.</summary>
    public ChatContext Context { get; }

    /// <summary>The provider's name as it appears in errors (from the client's metadata, or its type name).</summary>
    public string ProviderName { get; }

    /// <summary>Creates the processor that records the bot's spoken turns into <see cref="Context"/>.</summary>
    public AssistantContextAggregator CreateAssistantAggregator(string? name = null) => new(Context, name);

    /// <inheritdoc />
    public override async Task SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken = default)
    {
        await base.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        if (_options.InvokeFunctions && _innerClient.GetService<FunctionInvokingChatClient>() is null)
        {
            // Not disposed by us: disposing the wrapper would dispose the caller's client.
            _client = _innerClient.AsBuilder().UseFunctionInvocation(setup.LoggerFactory).Build();
        }
    }

    /// <inheritdoc />
    public override async ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
    {
        if (UserSpeechBoundaryFrame.Before(frame, direction) is { } boundary)
        {
            await base.QueueFrameAsync(boundary, direction, cancellationToken).ConfigureAwait(false);
        }

        await base.QueueFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case TranscriptionFrame transcription when direction == FrameDirection.Downstream:
                AddUserText(transcription.Text);
                // Passed on (the TTS does not speak transcriptions) so that an output transport can caption the user.
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                if (!_userSpeaking)
                {
                    await AnswerPendingTurnAsync(cancellationToken).ConfigureAwait(false);
                }

                return;
            case UserSpeechBoundaryFrame boundary:
                _userSpeaking = boundary.Started;
                if (!_userSpeaking)
                {
                    await AnswerPendingTurnAsync(cancellationToken).ConfigureAwait(false);
                }

                return;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    // Turn state is touched only on the data path (transcriptions and boundary markers), so it needs no lock.
    private void AddUserText(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        if (_pendingUserText.Length > 0)
        {
            _pendingUserText.Append(' ');
        }

        _pendingUserText.Append(text.Trim());
    }

    private async ValueTask AnswerPendingTurnAsync(CancellationToken cancellationToken)
    {
        string userText = _pendingUserText.ToString();
        _pendingUserText.Clear();

        if (userText.Length == 0)
        {
            return;
        }

        Context.AddUserMessage(userText);
        Logger.LogDebug("{Processor}: user turn: {Text}", Name, userText);
        await RespondAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RespondAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ChatMessage> messages = Context.Messages;
        var tools = new ToolMessageCollector();
        using var call = new ProviderCall("LLM", ProviderName, CallName, _options.ResponseTimeout, TimeProvider, cancellationToken, MeterFactory);
        await PushFrameAsync(new LLMFullResponseStartFrame(), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
        StartTtfbMetrics();
        StartProcessingMetrics();
        bool firstText = true;
        try
        {
            IAsyncEnumerator<ChatResponseUpdate> updates = _client
                .GetStreamingResponseAsync(messages, _options.ChatOptions?.Clone(), call.Token)
                .GetAsyncEnumerator(call.Token);
            try
            {
                while (await StreamGuard.MoveNextOrCancelAsync(updates, call.Token).ConfigureAwait(false))
                {
                    call.Progress();
                    ChatResponseUpdate update = updates.Current;
                    tools.Add(update);
                    string text = update.Text;
                    if (text.Length == 0)
                    {
                        continue;
                    }

                    if (firstText)
                    {
                        firstText = false;
                        await StopTtfbMetricsAsync().ConfigureAwait(false);
                    }

                    await PushFrameAsync(new LLMTextFrame(text), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await DisposeQuietlyAsync(updates, call.Token.IsCancellationRequested).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Logger.LogDebug("{Processor}: {Call} cancelled by an interruption", Name, CallName);
            throw;
        }
        catch (OperationCanceledException) when (call.TimedOut)
        {
            await PushErrorAsync(call.TimeoutMessage()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ReportFailureAsync(call, ex).ConfigureAwait(false);
        }
        finally
        {
            Context.AddToolMessages(tools.CompletedMessages());
            await StopProcessingMetricsAsync().ConfigureAwait(false);
        }

        await PushFrameAsync(new LLMFullResponseEndFrame(), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
    }

    // An abandoned provider stream may still be busy in MoveNextAsync (it ignored cancellation); disposing it then
    // would throw, so it is left to finish on its own.
    private async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ChatResponseUpdate> updates, bool abandoned)
    {
        try
        {
            if (!abandoned)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                _ = updates.DisposeAsync().AsTask().ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        catch (Exception ex)
        {
            Logger.LogDebug(ex, "{Processor}: disposing the response stream failed", Name);
        }
    }

    // The provider's exception is logged at debug level only: its text may quote request content. The ErrorFrame
    // carries it for the application, with a redacted, capped message.
    private ValueTask ReportFailureAsync(ProviderCall call, Exception exception)
    {
        call.Failed(exception);
        string message = call.FailureMessage(exception);
        Logger.LogDebug(exception, "{Processor}: {Call} failed", Name, call.Call);
        Logger.LogWarning("{Processor}: {Message}", Name, message);
        return PushFrameAsync(new ErrorFrame(message, exception) { ProcessorName = Name }, FrameDirection.Upstream);
    }
}
