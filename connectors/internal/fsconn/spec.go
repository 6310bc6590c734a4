// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
)

// SpecOptions are what differs between the file-like connectors' specs:
// everything but the operations.
type SpecOptions struct {
	ID, Title, Description, Version, BrandColor string
	Status                                      connector.Status
	Auth                                        []connector.Auth
	ConnectionParameters                        []connector.ConnectionParameter
}

const metadataSchema = `{
  "type": "object",
  "description": "File or folder metadata (BlobMetadata).",
  "properties": {
    "Id": {"type": "string", "description": "Path of the file from the root folder, used as its id."},
    "Name": {"type": "string"},
    "DisplayName": {"type": "string"},
    "Path": {"type": "string", "description": "Path from the root folder, starting with /."},
    "LastModified": {"type": "string", "format": "date-time"},
    "Size": {"type": "integer"},
    "MediaType": {"type": "string"},
    "IsFolder": {"type": "boolean"},
    "ETag": {"type": "string"},
    "FileLocator": {"type": "string"}
  },
  "required": ["Id", "Name", "Path", "LastModified", "Size", "IsFolder"]
}`

const contentSchema = `{
  "type": "object",
  "description": "File content: {\"$content-type\", \"$content\" (base64)}.",
  "properties": {
    "$content-type": {"type": "string"},
    "$content": {"type": "string", "contentEncoding": "base64"}
  },
  "required": ["$content-type", "$content"]
}`

var itemSchema = `{
  "type": "object",
  "description": "A file added or modified: its metadata, and its content when includeFileContent is true.",
  "allOf": [` + metadataSchema + `],
  "properties": {"Content": ` + contentSchema + `}
}`

const bodySchema = `{
  "description": "File content: a string (written as UTF-8), or {\"$content-type\", \"$content\" (base64)} for binary.",
  "anyOf": [
    {"type": "string"},
    {"type": "object", "properties": {"$content-type": {"type": "string"}, "$content": {"type": "string"}}, "required": ["$content"]}
  ]
}`

func str(desc string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "string", "description": desc})
	return b
}

func boolean(desc string, def bool) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "boolean", "description": desc, "default": def})
	return b
}

func q(name, summary, desc string, required bool, schema json.RawMessage) connector.Param {
	return connector.Param{Name: name, In: connector.InQuery, Required: required, Summary: summary, Description: desc, Schema: schema}
}

func body() connector.Param {
	return connector.Param{Name: "body", In: connector.InBody, Required: true, Summary: "File content",
		Description: "The content to write.", Schema: json.RawMessage(bodySchema)}
}

func ok200(desc, schema string) []connector.Response {
	r := connector.Response{Status: "200", Description: desc}
	if schema != "" {
		r.Schema = json.RawMessage(schema)
	}
	return []connector.Response{r}
}

// action declares an action. Its method and path are what an ApiConnection
// action's inputs.method and inputs.path match (Logic Apps File System
// connector paths, ids URL-encoded into the path).
func action(id, method, path, summary, desc string, params []connector.Param, resp []connector.Response) connector.Operation {
	return connector.Operation{ID: id, Kind: connector.KindAction, Method: method, Path: path, Summary: summary, Description: desc,
		Parameters: params, Responses: resp, Tags: []string{"files"}}
}

// inPath makes a parameter a path parameter, URL-encoded twice by Logic
// Apps convention (encodeURIComponent(encodeURIComponent(path))); once works
// too.
func inPath(prm connector.Param) connector.Param {
	prm.In = connector.InPath
	prm.Required = true
	prm.URLEncoding = "double"
	return prm
}

var (
	idParam        = inPath(q("id", "File", "Path of the file from the root folder, e.g. /in/order.json.", true, str("file path")))
	overwriteParam = q("overwrite", "Overwrite", "Replace the destination when it exists.", false, boolean("replace an existing file", false))
	listSchema     = `{"type": "array", "items": ` + metadataSchema + `}`
)

// Spec returns a connector spec with the shared operations and trigger.
// Their methods and paths follow the Logic Apps File System, SFTP and FTP
// connectors, so ApiConnection actions written for those find them.
func Spec(o SpecOptions) connector.Spec {
	return connector.Spec{
		ID:                   o.ID,
		Title:                o.Title,
		Description:          o.Description,
		Version:              o.Version,
		Status:               o.Status,
		Publisher:            "Junction",
		BrandColor:           o.BrandColor,
		Auth:                 o.Auth,
		ConnectionParameters: o.ConnectionParameters,
		Capabilities:         []string{"actions", "triggers"},
		Operations: []connector.Operation{
			action("CreateFile", "POST", "/datasets/default/files", "Create file", "Creates a file with the given content. Fails when it exists unless overwrite is true. Missing folders are created.",
				[]connector.Param{
					q("folderPath", "Folder path", "Folder to create the file in, from the root folder (/ for the root).", true, str("folder path")),
					q("name", "File name", "Name of the new file.", true, str("file name")),
					overwriteParam, body(),
				}, ok200("Metadata of the created file.", metadataSchema)),
			action("GetFileContent", "GET", "/datasets/default/files/{id}/content", "Get file content", "Reads a file's content as {\"$content-type\", \"$content\"}.",
				[]connector.Param{idParam, q("inferContentType", "Infer content type", "Guess the content type from the name and content; otherwise application/octet-stream.", false, boolean("infer content type", true))},
				ok200("The file's content.", contentSchema)),
			action("GetFileMetadata", "GET", "/datasets/default/files/{id}", "Get file metadata", "Returns the metadata of a file or folder.",
				[]connector.Param{idParam}, ok200("Metadata.", metadataSchema)),
			action("ListFolder", "GET", "/datasets/default/folders/{id}", "List files in folder", "Lists the files and subfolders of a folder (not recursive).",
				[]connector.Param{inPath(q("id", "Folder", "Folder path from the root folder; / for the root.", true, str("folder path")))},
				ok200("The folder's entries, sorted by name.", listSchema)),
			action("UpdateFile", "PUT", "/datasets/default/files/{id}", "Update file", "Replaces the content of an existing file.",
				[]connector.Param{idParam, body()}, ok200("Metadata of the updated file.", metadataSchema)),
			action("AppendFile", "POST", "/datasets/default/files/{id}/append", "Append to file", "Appends content to a file, creating it when it does not exist.",
				[]connector.Param{idParam, body()}, ok200("Metadata of the file.", metadataSchema)),
			action("CopyFile", "POST", "/datasets/default/copyFile", "Copy file", "Copies a file. Fails when the destination exists unless overwrite is true.",
				[]connector.Param{
					q("source", "Source file", "Path of the file to copy.", true, str("source path")),
					q("destination", "Destination file", "Path of the copy.", true, str("destination path")),
					overwriteParam,
				}, ok200("Metadata of the copy.", metadataSchema)),
			action("MoveFile", "POST", "/datasets/default/moveFile", "Move file", "Moves a file to another path. Fails when the destination exists unless overwrite is true.",
				[]connector.Param{
					q("source", "Source file", "Path of the file to move.", true, str("source path")),
					q("destination", "Destination file", "New path of the file.", true, str("destination path")),
					overwriteParam,
				}, ok200("Metadata of the moved file.", metadataSchema)),
			action("RenameFile", "POST", "/datasets/default/files/{id}/rename", "Rename file", "Renames a file within its folder. Fails when a file with the new name exists.",
				[]connector.Param{idParam, q("newName", "New name", "New file name (no folders).", true, str("file name"))},
				ok200("Metadata of the renamed file.", metadataSchema)),
			action("DeleteFile", "DELETE", "/datasets/default/files/{id}", "Delete file", "Deletes a file (not a folder).",
				[]connector.Param{idParam}, ok200("The file was deleted.", "")),
			action("ExtractFolder", "POST", "/datasets/default/extractFolderV2", "Extract archive to folder", "Extracts a zip archive into a folder. Entries that would leave the folder are refused; symbolic links in the archive are skipped.",
				[]connector.Param{
					q("source", "Archive", "Path of the zip archive.", true, str("archive path")),
					q("destination", "Destination folder", "Folder to extract into (created when missing).", true, str("folder path")),
					overwriteParam,
				}, ok200("Metadata of the extracted files.", listSchema)),
			{
				ID: OnUpdatedFile, Kind: connector.KindTrigger, Trigger: connector.TriggerPoll,
				Method: "GET", Path: "/datasets/default/triggers/onupdatedfile",
				Summary:     "When a file is added or modified",
				Description: "Polls a folder (not its subfolders) and returns each file added or modified since the last poll, oldest first. The first poll only remembers what is there. With afterRead the files read are deleted or moved once their runs are stored.",
				Tags:        []string{"files"},
				Parameters: []connector.Param{
					q("folderId", "Folder", "Folder to watch, from the root folder.", true, str("folder path")),
					q("includeFileContent", "Include file content", "Return each file's content with its metadata.", false, boolean("include content", true)),
					q("maxFileCount", "Maximum files per poll", "At most this many files per poll; the rest come in the next polls.", false,
						json.RawMessage(`{"type": "integer", "minimum": 1, "default": 10, "description": "files per poll"}`)),
					q("afterRead", "After read", "What to do with a file once its run is stored: none, delete, or move to moveToFolder.", false,
						json.RawMessage(`{"type": "string", "enum": ["none", "delete", "move"], "default": "none", "description": "cleanup"}`)),
					q("moveToFolder", "Move to folder", "Folder the files go to when afterRead is move.", false, str("folder path")),
				},
				Responses: []connector.Response{{Status: "200", Description: "The files added or modified.", Schema: json.RawMessage(`{"type": "array", "items": ` + itemSchema + `}`)}},
			},
		},
	}
}
