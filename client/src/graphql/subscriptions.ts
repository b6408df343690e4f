// Generated from schema.graphql by client/scripts/codegen.ts (npm run codegen). Do not edit.
/* tslint:disable */
/* eslint-disable */
// this is an auto generated file. This will be overwritten

import * as APITypes from "./API";
type GeneratedSubscription<InputType, OutputType> = string & {
  __generatedSubscriptionInput: InputType;
  __generatedSubscriptionOutput: OutputType;
};

export const onCreateActivity = /* GraphQL */ `subscription OnCreateActivity($userid: ID!) {
  onCreateActivity(userid: $userid) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedSubscription<
  APITypes.OnCreateActivitySubscriptionVariables,
  APITypes.OnCreateActivitySubscription
>;
export const onUpdateActivity = /* GraphQL */ `subscription OnUpdateActivity($userid: ID!) {
  onUpdateActivity(userid: $userid) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedSubscription<
  APITypes.OnUpdateActivitySubscriptionVariables,
  APITypes.OnUpdateActivitySubscription
>;
export const onDeleteActivity = /* GraphQL */ `subscription OnDeleteActivity($userid: ID!) {
  onDeleteActivity(userid: $userid) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedSubscription<
  APITypes.OnDeleteActivitySubscriptionVariables,
  APITypes.OnDeleteActivitySubscription
>;
