package io.switchboard.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What clients read and write, named as the API names it. */
public final class Views {
    private Views() {}

    // ---- requests

    /** POST /api/v1/conversations. */
    public record NewConversation(String kind, String with, String title, List<String> members) {}

    /** PUT …/messages/{clientMsgId}. */
    public record NewMessage(String text, String replyTo, List<String> attachments, Location location) {}

    /** PATCH …/messages/{messageId}. */
    public record Edit(String text) {}

    /** POST …/reactions. */
    public record NewReaction(String emoji) {}

    /** POST …/read. */
    public record ReadMark(Long seq) {}

    /** POST …/members. */
    public record NewMember(String handle) {}

    /** PATCH /api/v1/conversations/{id}. */
    public record Rename(String title) {}

    /** PATCH …/members/{handle}. */
    public record RoleChange(String role) {}

    // ---- answers and events

    public record Location(Double latitude, Double longitude, String title) {}

    public record Attachment(String mediaId, long size, String contentType) {}

    public record Reaction(String emoji, int count, List<String> handles) {}

    /** What a message standing for a call tells: the call's id, how it ended ({@code missed}), whether with video. */
    public record Call(String id, String outcome, boolean video) {}

    /** {@code call}: null unless the message stands for a call. */
    public record Message(String id, String conversationId, long seq, String sender, String clientMsgId, String text,
                          String replyTo, List<Attachment> attachments, Location location, Call call,
                          List<Reaction> reactions, String editedAt, boolean deleted, String sentAt) {}

    /** {@code readSeq}: how far the member has read; in answers to GET, not in events. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Member(String handle, String displayName, String kind, String role, Long readSeq) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Conversation(String id, String kind, String title, List<Member> members, Long lastSeq,
                               Message lastMessage, Long unread, Long readSeq, String createdAt,
                               String change, String actor, String subject) {}

    public record Conversations(List<Conversation> conversations) {}

    public record Messages(List<Message> messages) {}

    public record ReactionEvent(String conversationId, String messageId, long seq, String emoji, String handle,
                                boolean added, List<Reaction> reactions) {}

    public record ReadEvent(String conversationId, String handle, long seq) {}

    public record Typing(String conversationId, String handle) {}

    public record MediaInfo(String mediaId, long size, String contentType) {}

    // ---- answers on the socket to a message.send frame

    /** {@code message.sent}: the message as the PUT answers it; {@code created} false for a retry. */
    public record SendAnswer(String clientMsgId, String conversationId, Object message, boolean created) {}

    /** The data of the {@code error} frame refusing a {@code message.send}: the PUT's code, and which send it was. */
    public record SendRefusal(String code, String message, String clientMsgId, String conversationId) {}
}
