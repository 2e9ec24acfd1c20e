using System.ClientModel;
using HeyGenAvatarBot.Conversation;
using Microsoft.Extensions.AI;
using OpenAI.Audio;
using OpenAI.Chat;
using Pipeline.AI.Llm;
using Pipeline.LocalEngines;

namespace HeyGenAvatarBot.Engines;

/// <summary>The three engines of the bot behind the Microsoft.Extensions.AI interfaces: local or OpenAI.</summary>
internal sealed class SpeechEngines : IDisposable
{
    /// <summary>The bot's voice in local mode (the scripted user speaks with the Klatt voice at pitch 60).</summary>
    private static readonly EspeakOptions BotVoice = new() { Voice = "en-us", WordsPerMinute = 175, Pitch = 50 };

    private SpeechEngines(IChatClient chat, ISpeechToTextClient stt, ITextToSpeechClient tts, string description, TextToSpeechOptions? speechOptions, string? systemPrompt)
    {
        Chat = chat;
        Stt = stt;
        Tts = tts;
        Description = description;
        SpeechOptions = speechOptions;
        SystemPrompt = systemPrompt;
    }

    public IChatClient Chat { get; }

    public ISpeechToTextClient Stt { get; }

    public ITextToSpeechClient Tts { get; }

    /// <summary>One line for the console: which engines run.</summary>
    public string Description { get; }

    /// <summary>What to ask the TTS for (OpenAI: model, voice, and WAV so the processor can decode it).</summary>
    public TextToSpeechOptions? SpeechOptions { get; }

    public string? SystemPrompt { get; }

    /// <summary>Creates the engines the options ask for; the scripted responder answers the scripted turns.</summary>
    public static SpeechEngines Create(BotOptions options, IReadOnlyList<ScriptedTurn> turns)
    {
        if (options.UsesOpenAI)
        {
            var key = new ApiKeyCredential(options.OpenAIKey ?? throw new InvalidOperationException($"Set {BotOptions.OpenAIKeyVariable}."));
            return new SpeechEngines(
                new ChatClient(options.LlmModel, key).AsIChatClient(),
                new AudioClient(options.SttModel, key).AsISpeechToTextClient(),
                new AudioClient(options.TtsModel, key).AsITextToSpeechClient(),
                $"OpenAI: {options.SttModel} (speech to text), {options.LlmModel} (chat), {options.TtsModel} voice {options.TtsVoice} (text to speech)",
                new TextToSpeechOptions { ModelId = options.TtsModel, VoiceId = options.TtsVoice, AudioFormat = "wav" },
                "You are a friendly talking avatar in a voice conversation. Answer in one or two short spoken sentences, without lists or markup.");
        }

        var script = new ScriptedChatClientOptions();
        foreach (ScriptedTurn turn in turns)
        {
            script.Replies.Insert(turn.Number - 1, new ScriptedReply(turn.Keywords, turn.Reply));
        }

        return new SpeechEngines(
            new ScriptedChatClient(script),
            new PocketsphinxSpeechToTextClient(),
            new EspeakTextToSpeechClient(BotVoice),
            "local: pocketsphinx (speech to text), the offline scripted responder (chat), espeak-ng (text to speech)",
            speechOptions: null,
            systemPrompt: null);
    }

    public void Dispose()
    {
        Chat.Dispose();
        Stt.Dispose();
        Tts.Dispose();
    }
}
